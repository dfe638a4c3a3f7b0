package chain

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
)

// Reader reads ledger state.
type Reader interface {
	// Get returns the value at key and whether it exists.
	Get(key []byte) ([]byte, bool, error)
}

// Scanner reads committed ledger state and iterates it in key order;
// Ledger implements it. The domain packages' listings take one.
type Scanner interface {
	Reader
	// Scan calls f for each key with the given prefix, in key order,
	// starting after the key after (empty: from the start), until f
	// returns false.
	Scan(prefix, after []byte, f func(key, value []byte) bool) error
}

// Overlay buffers writes on top of a Reader. A block is applied to one
// overlay; each transaction to a child overlay that is merged into its parent
// only if the transaction succeeds, so a failed transaction leaves nothing.
type Overlay struct {
	base   Reader
	writes map[string][]byte // nil value: deleted
}

// NewOverlay returns an empty overlay on base.
func NewOverlay(base Reader) *Overlay {
	return &Overlay{base: base, writes: map[string][]byte{}}
}

// Get implements Reader.
func (o *Overlay) Get(key []byte) ([]byte, bool, error) {
	if v, ok := o.writes[string(key)]; ok {
		return v, v != nil, nil
	}
	return o.base.Get(key)
}

// Set writes value at key. The overlay keeps value: don't change it after.
func (o *Overlay) Set(key, value []byte) {
	if value == nil {
		value = []byte{}
	}
	o.writes[string(key)] = value
}

// Delete removes key.
func (o *Overlay) Delete(key []byte) { o.writes[string(key)] = nil }

// Child returns an overlay on top of o.
func (o *Overlay) Child() *Overlay { return NewOverlay(o) }

// Merge copies a child's writes into o.
func (o *Overlay) Merge(child *Overlay) {
	for k, v := range child.writes {
		o.writes[k] = v
	}
}

// change is one state write, in key order.
type change struct {
	key   []byte
	value []byte // nil: deleted
}

// changes returns the writes sorted by key.
func (o *Overlay) changes() []change {
	out := make([]change, 0, len(o.writes))
	for k, v := range o.writes {
		out = append(out, change{key: []byte(k), value: v})
	}
	sort.Slice(out, func(i, j int) bool { return bytes.Compare(out[i].key, out[j].key) < 0 })
	return out
}

func appendUint64(b []byte, v uint64) []byte {
	return binary.BigEndian.AppendUint64(b, v)
}

// GetJSON decodes the JSON value under key into v; ok is false (and v
// untouched) when there is none.
func GetJSON(st Reader, key []byte, v any) (ok bool, err error) {
	raw, ok, err := st.Get(key)
	if err != nil || !ok {
		return false, err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("decode %s: %w", key, err)
	}
	return true, nil
}

// LoadJSON returns the JSON value under key decoded as a T (GetJSON), and
// whether there is one.
func LoadJSON[T any](st Reader, key []byte) (*T, bool, error) {
	var v T
	ok, err := GetJSON(st, key, &v)
	if err != nil || !ok {
		return nil, false, err
	}
	return &v, true, nil
}

// SetJSON stores v under key as encoding/json writes it.
func (o *Overlay) SetJSON(key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	o.Set(key, raw)
	return nil
}
