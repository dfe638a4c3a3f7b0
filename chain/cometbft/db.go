package cometbft

import (
	"sync"

	dbm "github.com/cometbft/cometbft-db"
	cmtcfg "github.com/cometbft/cometbft/config"
)

// stopSafeDBProvider opens CometBFT's databases (block store, state store,
// evidence, tx index) like cmtcfg.DefaultDBProvider, each wrapped in a
// stopSafeDB.
//
// Why: the consensus reactor starts three goroutines per peer
// (gossipDataRoutine, gossipVotesRoutine, queryMaj23Routine) that nothing
// joins. Node.OnStop stops the switch (every peer, then every reactor; the
// consensus reactor waits for its state machine) and then closes the block
// store at once. A per-peer goroutine checks that its peer and the reactor
// still run only at the top of its loop: queryMaj23Routine then sleeps up to
// three times PeerQueryMaj23SleepDuration (2 s each) before it reads the
// block store (LoadCommit → LoadSeenCommit), and the block store panics on
// any read error. So a goroutine that passed its check before the switch
// stopped reads the block store after Node.OnStop closed it and takes the
// process down with "panic: leveldb: closed". No order of stopping from
// outside avoids it: the switch is already stopped and its peers removed
// before the store closes, no event tells when those goroutines have
// returned, and only a sleep longer than their longest iteration would.
//
// A stopSafeDB makes Close wait for the operations in flight, and answers
// the reads that come after it as a missing key (Get: nil, Has: false).
// Every block-store read of those goroutines treats a missing commit, block
// meta or block part as nothing to send (the peer they would send to is
// stopped anyway). Writes and iterators after Close still fail with the
// database's error: nothing in a stopped node writes.
func stopSafeDBProvider(ctx *cmtcfg.DBContext) (dbm.DB, error) {
	db, err := cmtcfg.DefaultDBProvider(ctx)
	if err != nil {
		return nil, err
	}
	return &stopSafeDB{DB: db}, nil
}

type stopSafeDB struct {
	dbm.DB
	mu     sync.RWMutex
	closed bool
}

func (d *stopSafeDB) Get(key []byte) ([]byte, error) {
	return inFlight(d, true, func() ([]byte, error) { return d.DB.Get(key) })
}

func (d *stopSafeDB) Has(key []byte) (bool, error) {
	return inFlight(d, true, func() (bool, error) { return d.DB.Has(key) })
}

func (d *stopSafeDB) Set(key, value []byte) error {
	return d.run(func() error { return d.DB.Set(key, value) })
}

func (d *stopSafeDB) SetSync(key, value []byte) error {
	return d.run(func() error { return d.DB.SetSync(key, value) })
}

func (d *stopSafeDB) Delete(key []byte) error {
	return d.run(func() error { return d.DB.Delete(key) })
}

func (d *stopSafeDB) DeleteSync(key []byte) error {
	return d.run(func() error { return d.DB.DeleteSync(key) })
}

func (d *stopSafeDB) Iterator(start, end []byte) (dbm.Iterator, error) {
	return inFlight(d, false, func() (dbm.Iterator, error) { return d.DB.Iterator(start, end) })
}

func (d *stopSafeDB) ReverseIterator(start, end []byte) (dbm.Iterator, error) {
	return inFlight(d, false, func() (dbm.Iterator, error) { return d.DB.ReverseIterator(start, end) })
}

func (d *stopSafeDB) Compact(start, end []byte) error {
	return d.run(func() error { return d.DB.Compact(start, end) })
}

// inFlight runs op under the read lock, so Close waits for it to end. After
// Close, a read (missing) answers op's zero value, a missing key, without
// running it; anything else still reaches the database, which refuses it.
func inFlight[T any](d *stopSafeDB, missing bool, op func() (T, error)) (T, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if missing && d.closed {
		var zero T
		return zero, nil
	}
	return op()
}

// run runs op under the read lock, so Close waits for it to end.
func (d *stopSafeDB) run(op func() error) error {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return op()
}

// Close closes the database once the operations in flight are over.
func (d *stopSafeDB) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	d.closed = true
	return d.DB.Close()
}
