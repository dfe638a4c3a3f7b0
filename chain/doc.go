// Package chain is weid's ledger: the signed transaction envelope, blocks
// whose transactions are committed by an RFC 6962 Merkle root and whose state
// is committed by an app hash, the goleveldb state store, and the consensus
// engines that order transactions into blocks (solo, the embedded default).
//
// chain imports no domain package. Domain packages (did, and later authz,
// schemas, credential) register their transaction types with a Registry:
// a name, a payload decoder, the key that must have signed the transaction
// and an apply function. Applying a block is deterministic: it reads only the
// store and the block (its height and time), so every engine and every
// replay of the chain reaches the same app hash.
package chain
