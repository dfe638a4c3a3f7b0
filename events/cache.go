package events

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/weidgo/weid/chain"
)

// cacheBytes bounds the recent blocks' events a hub keeps (their JSON
// plus an estimate of the decoded event): readers near the head (webhook
// subscriptions, streams joining the live feed, the NATS publisher) share
// one derivation and one encoding of each block instead of one each.
const cacheBytes = 16 << 20

// eventOverhead estimates an api.Event in memory beside its JSON.
const eventOverhead = 512

// blockCache keeps the events of recent blocks, oldest dropped first.
// A committed block never changes, so an entry never goes stale.
type blockCache struct {
	mu     sync.Mutex
	blocks map[uint64][]Live
	order  []uint64 // heights, oldest first
	size   int
}

func (c *blockCache) get(h uint64) ([]Live, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	evs, ok := c.blocks[h]
	return evs, ok
}

func (c *blockCache) put(h uint64, evs []Live) {
	n := 0
	for i := range evs {
		n += len(evs[i].JSON) + eventOverhead
	}
	if n > cacheBytes/4 {
		return // a huge block would evict everything else
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.blocks == nil {
		c.blocks = map[uint64][]Live{}
	}
	if _, ok := c.blocks[h]; ok {
		return
	}
	c.blocks[h] = evs
	c.order = append(c.order, h)
	c.size += n
	for c.size > cacheBytes && len(c.order) > 0 {
		old := c.order[0]
		c.order = c.order[1:]
		for i := range c.blocks[old] {
			c.size -= len(c.blocks[old][i].JSON) + eventOverhead
		}
		delete(c.blocks, old)
	}
}

// derive reads block b's events with their JSON and cursors.
func derive(l Ledger, b *chain.Block) ([]Live, error) {
	evs, err := Derive(b, l, l.Registry().Suite().TxHash)
	if err != nil {
		return nil, err
	}
	live := make([]Live, len(evs))
	for i := range evs {
		live[i].Event = evs[i]
		if live[i].JSON, err = json.Marshal(&evs[i]); err != nil {
			return nil, err
		}
		if live[i].Pos, err = ParseCursor(evs[i].Cursor); err != nil {
			return nil, err
		}
	}
	return live, nil
}

// blockEvents is the events of the block at height h, derived and
// encoded once for every reader while the block is recent.
func (h *Hub) blockEvents(height uint64) ([]Live, error) {
	if evs, ok := h.cache.get(height); ok {
		return evs, nil
	}
	b := h.last.Load()
	if b == nil || b.Header.Height != height {
		var err error
		if b, err = h.l.Block(height); err != nil {
			return nil, fmt.Errorf("events: read block %d: %w", height, err)
		}
	}
	evs, err := derive(h.l, b)
	if err != nil {
		return nil, err
	}
	h.cache.put(height, evs)
	return evs, nil
}
