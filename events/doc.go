// Package events derives typed events from committed blocks (DID created,
// grant revoked, status entries changed, …) and follows the ledger as it
// grows. Events come from the blocks and from state the ledger recorded
// for good (a schema's id by transaction, a status list's purpose, a
// grant's parties), never from anything local to a node, so every node of
// a consortium yields the same events with the same ids and cursors, and
// any history can be replayed from any cursor by reading blocks again.
//
// A Hub is fed by the ledger's commit hook (Hub.Committed: an atomic load
// when nobody listens) and derives each block's events once for all live
// subscribers, each with a bounded buffer: a subscriber that falls behind
// is cut off (ErrSlowConsumer) and resumes from its last cursor, so a slow
// reader never grows the node's memory. Follow joins the replay of history
// and the live feed without gaps or duplicates.
package events
