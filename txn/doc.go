// Package txn holds the ledger's formats as they cross the wire: the signed
// transaction envelope (Tx: RFC 8785 signing bytes, hash, strict decoding)
// and the block, proof and consensus records the node serves. It imports
// only keys, errs, internal/strictjson and gowebpki/jcs, so the Go SDK (client) and wallets read and sign
// transactions without linking the ledger, its store or CometBFT; package
// chain names the same types (chain.Tx = txn.Tx) and adds state and
// consensus.
package txn
