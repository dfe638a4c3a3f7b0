// Package chain is weid's ledger: the registry of transaction types, blocks
// whose transactions are committed by an RFC 6962 Merkle root and whose state
// is committed by an app hash (the root of a sparse Merkle tree over the
// state, smt.go), the goleveldb state store, state proofs, snapshots for
// state sync, the audit, and the solo engine (the embedded default) behind
// the Engine interface that chain/cometbft also implements. The formats on
// the wire — the signed transaction envelope, blocks, proofs — are package
// txn's; chain names them by alias (chain.Tx = txn.Tx).
//
// chain imports no domain package. Domain packages (did/weid, authz,
// schemas, evidence, grants, status; node.NewRegistry lists them) register
// their transaction types with a Registry: a Handler with the type's name,
// a payload decoder, the key that must have signed the transaction, an
// authorization rule and an apply function. Applying a block is
// deterministic: it reads only the store and the block (its height and
// time), so every engine and every replay of the chain reaches the same app
// hash.
package chain
