package cometbft

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtcfg "github.com/cometbft/cometbft/config"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/internal/durable"
)

// State sync (CometBFT's statesync reactor, ABCI ListSnapshots,
// LoadSnapshotChunk, OfferSnapshot, ApplySnapshotChunk): every
// SnapshotConfig.Interval CometBFT heights a node writes a snapshot of its
// ledger (chain.SnapshotView.Export) into <home>/snapshots/<height>/, keeping
// the last Keep; a new node whose settings enable state sync restores one
// from its peers instead of replaying the chain, and checks it against the
// app hash its light client verified (chain.Ledger.CheckRestored).
//
// Pruning a snapshot while a joining node fetches it. What CometBFT v1.0.1
// does (statesync/reactor.go, syncer.go, chunks.go): the serving node's
// reactor answers a chunk request with LoadSnapshotChunk's chunk, and with
// Missing set when that chunk is nil; on an error it logs and sends nothing.
// The joining node never reads Missing: a nil chunk is refused by its chunk
// queue ("cannot add nil chunk"), the fetcher asks again, a random peer
// listing the snapshot, every chunk_request_timeout (10 s by default), and
// the syncer gives up on the snapshot (errTimeout: rejected, the next best
// one tried) only when the next chunk in order has not come for 2 minutes
// (chunkTimeout). No answer of LoadSnapshotChunk makes the joiner drop the
// snapshot sooner without letting any one peer veto a snapshot: a chunk
// that fails the hash check makes ApplySnapshotChunk reject its sender for
// the whole sync (the pool's RejectPeer is for every snapshot, for good),
// and an empty non-nil chunk reaches the joiner as nil without Missing,
// which it takes as a malformed message and disconnects the peer. So a
// pruned snapshot's chunk stays nil (Missing), and a node does not prune a
// snapshot it is serving: one listed (ListSnapshots) or with a chunk loaded
// within SnapshotServeGrace outlives the last Keep, at most
// SnapshotServeExtra of them.

// DefaultSnapshotInterval is how many CometBFT heights apart snapshots are
// taken by default; DefaultSnapshotKeep how many are kept.
const (
	DefaultSnapshotInterval = 1000
	DefaultSnapshotKeep     = 2
)

// SnapshotServeGrace is how long after it was last listed to a peer or
// had a chunk loaded a snapshot beyond the last Keep is still kept: as
// long as a joining node's syncer waits for its next chunk (CometBFT's
// chunkTimeout, 2 minutes) before it gives the snapshot up. A node that
// fetches chunks from several peers may not ask this one for a while;
// if it is pruned meanwhile, the joiner asks another peer.
//
// SnapshotServeExtra is the most snapshots kept beyond Keep because they
// are being served, so that a peer asking for chunks forever cannot fill
// the disk: a node holds at most Keep + SnapshotServeExtra snapshots, plus
// the one being written. When more were served within the grace, the
// oldest go first (a joiner fetches the newest one it was offered, and
// snapshots kept only for serving are no longer listed).
const (
	SnapshotServeGrace = 2 * time.Minute
	SnapshotServeExtra = 2
)

// SnapshotConfig configures a node's snapshots.
type SnapshotConfig struct {
	// Interval: a snapshot every Interval CometBFT heights (0: none).
	Interval uint64
	// Keep: the number of snapshots kept (default DefaultSnapshotKeep).
	Keep int
	// ChunkSize: bytes per chunk (default chain.DefaultChunkSize).
	ChunkSize int
}

// StateSyncSettings enable state sync for a new node (weid-node.json's
// "stateSync"): CometBFT's light client verifies the snapshot's app hash
// from the trusted header on, against the RPC servers.
type StateSyncSettings struct {
	// RPCServers are CometBFT RPC addresses of the network (at least two,
	// the light client's primary and witness).
	RPCServers []string `json:"rpcServers"`
	// TrustHeight and TrustHash name a header the operator trusts.
	TrustHeight int64  `json:"trustHeight"`
	TrustHash   string `json:"trustHash"`
	// TrustPeriod is how long a trusted header stays trusted (a Go
	// duration; default 168h).
	TrustPeriod string `json:"trustPeriod,omitempty"`
}

func (s *StateSyncSettings) apply(c *cmtcfg.Config) {
	if s == nil {
		return
	}
	c.StateSync.Enable = true
	c.StateSync.RPCServers = s.RPCServers
	c.StateSync.TrustHeight = s.TrustHeight
	c.StateSync.TrustHash = s.TrustHash
	if d, err := time.ParseDuration(s.TrustPeriod); err == nil && d > 0 {
		c.StateSync.TrustPeriod = d
	}
	c.StateSync.DiscoveryTime = 5 * time.Second
}

// snapshotDir is where a node keeps its snapshots.
func snapshotDir(home string) string { return filepath.Join(home, "snapshots") }

// snapshotter writes snapshots in the background, one at a time, and
// prunes them, sparing those being served.
type snapshotter struct {
	dir  string
	cfg  SnapshotConfig
	busy sync.Mutex // held while one is written
	wg   sync.WaitGroup

	now    func() time.Time     // the clock of the served marks (time.Now)
	mu     sync.Mutex           // guards served; snapshots are listed and chunks read under it
	served map[uint64]time.Time // when a stored snapshot was last listed or had a chunk loaded
}

// EnableSnapshots makes the application take snapshots into dir (and
// serve those stored there), and removes what a crash left of a write or
// a prune.
func (a *App) EnableSnapshots(dir string, cfg SnapshotConfig) {
	if cfg.Keep <= 0 {
		cfg.Keep = DefaultSnapshotKeep
	}
	if cfg.ChunkSize <= 0 {
		cfg.ChunkSize = chain.DefaultChunkSize
	}
	a.snapDir = dir
	if dir != "" {
		removeLeftovers(dir)
	}
	if cfg.Interval > 0 {
		a.snap = &snapshotter{dir: dir, cfg: cfg, now: time.Now, served: map[uint64]time.Time{}}
	}
}

// WaitSnapshots waits for a snapshot being written.
func (a *App) WaitSnapshots() {
	if a.snap != nil {
		a.snap.wg.Wait()
	}
}

// maybeSnapshot is called by Commit, on the consensus goroutine, once
// height h is durable: at every interval it takes a view of the ledger and
// writes it in the background (skipped if the previous one is still being
// written).
func (a *App) maybeSnapshot(h int64) {
	s := a.snap
	if s == nil || h <= 0 || uint64(h)%s.cfg.Interval != 0 || a.l.Head().Empty {
		return
	}
	if !s.busy.TryLock() {
		return
	}
	v, err := a.l.View()
	if err != nil {
		s.busy.Unlock()
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer s.busy.Unlock()
		defer v.Release()
		_ = s.write(uint64(h), v)
	}()
}

// write exports v as the snapshot at height h into dir/<h>, written under
// a temporary name, every file fsynced, and renamed (then dir fsynced), so
// that a snapshot is served whole or not at all after a power loss; then
// prunes old snapshots and what writes that a crash cut short left.
func (s *snapshotter) write(h uint64, v *chain.SnapshotView) error {
	final := filepath.Join(s.dir, strconv.FormatUint(h, 10))
	tmp := final + ".tmp"
	_ = os.RemoveAll(tmp)
	if err := durable.MkdirAll(tmp, 0o700); err != nil {
		return err
	}
	m, err := v.Export(h, s.cfg.ChunkSize, func(i int, b []byte) error {
		return durable.WriteNew(filepath.Join(tmp, chunkName(i)), b, 0o600)
	})
	if err == nil {
		var raw []byte
		raw, err = json.Marshal(m)
		if err == nil {
			err = durable.WriteNew(filepath.Join(tmp, "metadata.json"), raw, 0o600)
		}
	}
	if err == nil {
		_ = os.RemoveAll(final)
		err = os.Rename(tmp, final)
	}
	if err == nil {
		err = durable.SyncDir(s.dir)
	}
	if err != nil {
		_ = os.RemoveAll(tmp)
		return err
	}
	s.prune()
	removeLeftovers(s.dir)
	return nil
}

// removeLeftovers removes from dir what writes and prunes a crash cut
// short, after a write and when a node enables snapshots at start. One
// snapshot is written at a time (busy), and none while EnableSnapshots
// runs, so any other <h>.tmp is left by a crash; snapshots go on at
// greater heights, so no write would ever reuse it. A <h>.pruned is a
// removal a crash cut short.
func removeLeftovers(dir string) {
	for _, pat := range []string{"*.tmp", "*.pruned"} {
		left, _ := filepath.Glob(filepath.Join(dir, pat))
		for _, d := range left {
			_ = os.RemoveAll(d)
		}
	}
}

// prune removes the snapshots older than the last Keep, except the newest
// SnapshotServeExtra of those served within SnapshotServeGrace. A snapshot
// is renamed away under mu, so that a chunk load either marked it first
// (and it is kept) or finds it gone; the files are removed after.
func (s *snapshotter) prune() {
	hs, _ := listHeights(s.dir)
	var gone []string
	s.mu.Lock()
	now, held := s.now(), 0
	stored := map[uint64]bool{}
	for i := len(hs) - 1; i >= 0; i-- {
		h := hs[i]
		if i >= len(hs)-s.cfg.Keep {
			stored[h] = true
			continue
		}
		if t, ok := s.served[h]; ok && now.Sub(t) < SnapshotServeGrace && held < SnapshotServeExtra {
			stored[h] = true
			held++
			continue
		}
		d := filepath.Join(s.dir, strconv.FormatUint(h, 10))
		if err := os.Rename(d, d+".pruned"); err == nil {
			gone = append(gone, d+".pruned")
		} else {
			_ = os.RemoveAll(d)
		}
	}
	for h := range s.served {
		if !stored[h] {
			delete(s.served, h)
		}
	}
	s.mu.Unlock()
	for _, d := range gone {
		_ = os.RemoveAll(d)
	}
}

// readChunk reads chunk i of the snapshot at height h and marks it served,
// under mu so that prune cannot remove it between the two. A snapshot is
// marked only under mu and only once a file of it was read (a chunk here,
// its metadata in ListSnapshots), so marks are only ever of stored
// snapshots.
func (s *snapshotter) readChunk(h uint64, i int) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := os.ReadFile(filepath.Join(s.dir, strconv.FormatUint(h, 10), chunkName(i)))
	if err == nil {
		s.served[h] = s.now()
	}
	return b, err
}

func chunkName(i int) string { return fmt.Sprintf("chunk-%06d", i) }

// listHeights returns the heights of the complete snapshots in dir, in
// increasing order.
func listHeights(dir string) ([]uint64, error) {
	es, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var hs []uint64
	for _, e := range es {
		if h, err := strconv.ParseUint(e.Name(), 10, 64); err == nil && e.IsDir() {
			hs = append(hs, h)
		}
	}
	sort.Slice(hs, func(i, j int) bool { return hs[i] < hs[j] })
	return hs, nil
}

// readSnapshot returns the stored snapshot at height h as CometBFT lists it.
func (a *App) readSnapshot(h uint64) (*abci.Snapshot, error) {
	raw, err := os.ReadFile(filepath.Join(a.snapDir, strconv.FormatUint(h, 10), "metadata.json"))
	if err != nil {
		return nil, err
	}
	m, err := chain.DecodeSnapshotMeta(raw)
	if err != nil {
		return nil, err
	}
	sum := m.Suite().Sum(raw)
	return &abci.Snapshot{Height: h, Format: chain.SnapshotFormat, Chunks: uint32(len(m.Chunks)), Hash: sum[:], Metadata: raw}, nil
}

// ListSnapshots implements abci.Application: the stored snapshots, newest
// first. A node that takes snapshots lists its last Keep, not those kept
// only because they are being served, and marks them served (a peer that
// lists them fetches one next). It lists, reads and marks them under the
// snapshotter's mu, as readChunk does, so that a concurrent write's prune
// either removed a snapshot before (and it is not listed) or sees its mark
// (and keeps it for the grace): a joiner is never offered a snapshot
// already gone.
func (a *App) ListSnapshots(context.Context, *abci.ListSnapshotsRequest) (*abci.ListSnapshotsResponse, error) {
	resp := &abci.ListSnapshotsResponse{}
	if a.snapDir == "" {
		return resp, nil
	}
	s := a.snap
	if s != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
	}
	hs, _ := listHeights(a.snapDir)
	if s != nil && len(hs) > s.cfg.Keep {
		hs = hs[len(hs)-s.cfg.Keep:]
	}
	for i := len(hs) - 1; i >= 0; i-- {
		snap, err := a.readSnapshot(hs[i])
		if err != nil {
			continue
		}
		resp.Snapshots = append(resp.Snapshots, snap)
		if s != nil {
			s.served[hs[i]] = s.now()
		}
	}
	return resp, nil
}

// LoadSnapshotChunk implements abci.Application: a nil chunk means this
// node does not have it (CometBFT sends it as Missing), which is also the
// answer for a snapshot pruned since it was listed (see the package's
// state sync comment for what the joining node does then).
func (a *App) LoadSnapshotChunk(_ context.Context, req *abci.LoadSnapshotChunkRequest) (*abci.LoadSnapshotChunkResponse, error) {
	if a.snapDir == "" || req.Format != chain.SnapshotFormat {
		return &abci.LoadSnapshotChunkResponse{}, nil
	}
	var b []byte
	var err error
	if a.snap != nil {
		b, err = a.snap.readChunk(req.Height, int(req.Chunk))
	} else {
		b, err = os.ReadFile(filepath.Join(a.snapDir, strconv.FormatUint(req.Height, 10), chunkName(int(req.Chunk))))
	}
	if err != nil {
		return &abci.LoadSnapshotChunkResponse{}, nil
	}
	return &abci.LoadSnapshotChunkResponse{Chunk: b}, nil
}

// OfferSnapshot implements abci.Application. The snapshot's metadata is a
// peer's word until the restored state checks against req.AppHash, the app
// hash of the snapshot's height that the light client verified: a format
// this node does not read is REJECT_FORMAT; metadata that does not decode,
// does not hash to the snapshot's hash, names another chain or height, or
// another app hash than the trusted one is REJECT (ABCI: try another
// snapshot); a node that already has a ledger ABORTs.
func (a *App) OfferSnapshot(_ context.Context, req *abci.OfferSnapshotRequest) (*abci.OfferSnapshotResponse, error) {
	reply := func(r abci.OfferSnapshotResult) (*abci.OfferSnapshotResponse, error) {
		return &abci.OfferSnapshotResponse{Result: r}, nil
	}
	s := req.Snapshot
	if s == nil {
		return reply(abci.OFFER_SNAPSHOT_RESULT_REJECT)
	}
	if s.Format != chain.SnapshotFormat {
		return reply(abci.OFFER_SNAPSHOT_RESULT_REJECT_FORMAT)
	}
	m, err := chain.DecodeSnapshotMeta(s.Metadata)
	if err != nil {
		return reply(abci.OFFER_SNAPSHOT_RESULT_REJECT)
	}
	sum := m.Suite().Sum(s.Metadata)
	if hex.EncodeToString(sum[:]) != hex.EncodeToString(s.Hash) || m.Height != s.Height || uint32(len(m.Chunks)) != s.Chunks ||
		(a.genesisChainID != "" && m.ChainID != a.genesisChainID) || m.AppHash != hex.EncodeToString(req.AppHash) {
		return reply(abci.OFFER_SNAPSHOT_RESULT_REJECT)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.restore != nil {
		_ = a.restore.Abort()
		a.restore = nil
	}
	r, err := a.l.BeginRestore(m)
	if err != nil {
		return reply(abci.OFFER_SNAPSHOT_RESULT_ABORT)
	}
	a.restore, a.trusted = r, append([]byte(nil), req.AppHash...)
	return reply(abci.OFFER_SNAPSHOT_RESULT_ACCEPT)
}

// ApplySnapshotChunk implements abci.Application. A chunk that does not
// hash to the snapshot's metadata is RETRY with the chunk refetched and
// its sender rejected (ABCI ApplySnapshotChunk: refetch_chunks,
// reject_senders); a snapshot whose content is malformed, or whose restored
// state does not check against the trusted app hash, is REJECT_SNAPSHOT
// and what it wrote is wiped.
func (a *App) ApplySnapshotChunk(_ context.Context, req *abci.ApplySnapshotChunkRequest) (*abci.ApplySnapshotChunkResponse, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	reply := func(r abci.ApplySnapshotChunkResult) (*abci.ApplySnapshotChunkResponse, error) {
		return &abci.ApplySnapshotChunkResponse{Result: r}, nil
	}
	r := a.restore
	if r == nil {
		return reply(abci.APPLY_SNAPSHOT_CHUNK_RESULT_ABORT)
	}
	done, err := r.Apply(int(req.Index), req.Chunk)
	switch {
	case errors.Is(err, chain.ErrChunkHash):
		resp := &abci.ApplySnapshotChunkResponse{Result: abci.APPLY_SNAPSHOT_CHUNK_RESULT_RETRY, RefetchChunks: []uint32{req.Index}}
		if req.Sender != "" {
			resp.RejectSenders = []string{req.Sender}
		}
		return resp, nil
	case err != nil:
		_ = r.Abort()
		a.restore = nil
		return reply(abci.APPLY_SNAPSHOT_CHUNK_RESULT_REJECT_SNAPSHOT)
	case !done:
		return reply(abci.APPLY_SNAPSHOT_CHUNK_RESULT_ACCEPT)
	}
	a.restore = nil
	if err := a.l.CheckRestored(r, a.trusted); err != nil {
		a.restoreErr = err
		return reply(abci.APPLY_SNAPSHOT_CHUNK_RESULT_REJECT_SNAPSHOT)
	}
	if h, err := a.LastHeight(); err != nil || uint64(h) != r.Meta().Height {
		_ = r.Abort()
		return reply(abci.APPLY_SNAPSHOT_CHUNK_RESULT_REJECT_SNAPSHOT)
	}
	a.chainID.Store(a.l.ChainID())
	a.restoreErr = nil
	select {
	case <-a.restored:
	default:
		close(a.restored)
	}
	return reply(abci.APPLY_SNAPSHOT_CHUNK_RESULT_ACCEPT)
}

// Restored returns a channel closed once a state sync restored the ledger.
func (a *App) Restored() <-chan struct{} { return a.restored }

// genesisChainID reads the weid chain id from a CometBFT genesis file's
// app_state.
func genesisChainID(file string) (string, error) {
	doc, err := cmttypes.GenesisDocFromFile(file)
	if err != nil {
		return "", err
	}
	var gs struct {
		ChainID string `json:"chainId"`
	}
	if err := json.Unmarshal(doc.AppState, &gs); err != nil {
		return "", err
	}
	return gs.ChainID, nil
}

// DefaultSyncWait is how long Start waits, by default, for a state sync.
const DefaultSyncWait = 10 * time.Minute

// setupStateSync enables snapshots and reports whether this node will
// state sync (its settings enable it and its ledger is empty).
func (a *App) setupStateSync(cfg Config, s *Settings, c *cmtcfg.Config) (bool, error) {
	sc := cfg.Snapshots
	if sc.Keep == 0 {
		sc.Keep = s.SnapshotKeep
	}
	a.EnableSnapshots(snapshotDir(cfg.Home), sc)
	if id, err := genesisChainID(c.GenesisFile()); err == nil {
		a.genesisChainID = id
	}
	return c.StateSync.Enable && cfg.Ledger.Head().Empty, nil
}

// waitRestored waits until a state sync restored the ledger.
func (e *Engine) waitRestored(d time.Duration) error {
	if d <= 0 {
		d = DefaultSyncWait
	}
	select {
	case <-e.app.Restored():
		return nil
	case <-time.After(d):
		e.app.mu.Lock()
		why := e.app.restoreErr
		e.app.mu.Unlock()
		if why != nil {
			return fmt.Errorf("state sync: no snapshot restored within %v; the last one was refused: %w", d, why)
		}
		return fmt.Errorf("state sync: no snapshot restored within %v (do the peers take snapshots, and have blocks past the trusted height?)", d)
	}
}
