package schemas

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
)

// Record is api.SchemaRecord.
type Record = api.SchemaRecord

// State key prefixes of the schema registry.
const (
	prefixLatest  = "schema/latest/"
	prefixVersion = "schema/version/"
	prefixNext    = "schema/next/"
	prefixByTx    = "schema/bytx/"
)

func latestKey(id uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte(prefixLatest), id)
}

func versionKey(id, version uint64) []byte {
	k := binary.BigEndian.AppendUint64([]byte(prefixVersion), id)
	k = append(k, '/')
	return binary.BigEndian.AppendUint64(k, version)
}

func byTxKey(txHash string) []byte { return []byte(prefixByTx + txHash) }

func be8(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// latestVersion returns the latest version number of schema id, or 0 if it
// does not exist.
// LatestVersion is the latest version of schema id in st, 0 when there is
// none.
func LatestVersion(st chain.Reader, id uint64) (uint64, error) { return latestVersion(st, id) }

func latestVersion(st chain.Reader, id uint64) (uint64, error) {
	v, ok, err := st.Get(latestKey(id))
	if err != nil || !ok {
		return 0, err
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("schema %d: corrupt latest-version pointer", id)
	}
	return binary.BigEndian.Uint64(v), nil
}

func loadRecord(st chain.Reader, id, version uint64) (*Record, bool, error) {
	raw, ok, err := st.Get(versionKey(id, version))
	if err != nil || !ok {
		return nil, false, err
	}
	var r Record
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, false, fmt.Errorf("decode schema %d version %d: %w", id, version, err)
	}
	return &r, true, nil
}

// Get returns version version of schema id as st has it; version 0 means
// the latest. A schema or version that does not exist is a 404
// *errs.Error with code schema.notFound.
func Get(st chain.Reader, id, version uint64) (*Record, error) {
	last, err := latestVersion(st, id)
	if err != nil {
		return nil, err
	}
	if last == 0 {
		return nil, notFound(id, 0)
	}
	if version == 0 {
		version = last
	}
	if version > last {
		return nil, notFound(id, version)
	}
	r, ok, err := loadRecord(st, id, version)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("schema %d: version %d of %d is missing", id, version, last)
	}
	return r, nil
}

// Limits of List.
const (
	// DefaultListLimit is the page size of List when none is given.
	DefaultListLimit = 100
	// MaxListLimit is the largest page List returns.
	MaxListLimit = 1000
)

// List returns the latest versions of up to limit schemas in id order,
// starting after id after (0 for the first page). A limit outside 1 to
// MaxListLimit means DefaultListLimit or MaxListLimit.
func List(s chain.Scanner, after uint64, limit int) ([]Record, error) {
	switch {
	case limit <= 0:
		limit = DefaultListLimit
	case limit > MaxListLimit:
		limit = MaxListLimit
	}
	type entry struct{ id, version uint64 }
	var page []entry
	var from []byte
	if after > 0 {
		from = latestKey(after)
	}
	var bad error
	err := s.Scan([]byte(prefixLatest), from, func(k, v []byte) bool {
		if len(k) != len(prefixLatest)+8 || len(v) != 8 {
			bad = fmt.Errorf("corrupt schema pointer %q", k)
			return false
		}
		page = append(page, entry{binary.BigEndian.Uint64(k[len(prefixLatest):]), binary.BigEndian.Uint64(v)})
		return len(page) < limit
	})
	if err == nil {
		err = bad
	}
	if err != nil {
		return nil, fmt.Errorf("list schemas: %w", err)
	}
	out := make([]Record, 0, len(page))
	for _, e := range page {
		r, ok, err := loadRecord(s, e.id, e.version)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("schema %d: version %d is missing", e.id, e.version)
		}
		out = append(out, *r)
	}
	return out, nil
}

// Published returns the schema id and version that transaction txHash
// published (a schema.register or schema.update), if it was committed.
func Published(st chain.Reader, txHash string) (id, version uint64, ok bool, err error) {
	v, ok, err := st.Get(byTxKey(txHash))
	if err != nil || !ok {
		return 0, 0, false, err
	}
	if len(v) != 16 {
		return 0, 0, false, fmt.Errorf("corrupt schema record of transaction %s", txHash)
	}
	return binary.BigEndian.Uint64(v), binary.BigEndian.Uint64(v[8:]), true, nil
}

// IDForTx returns the schema id that transaction txHash registered or
// updated, so that a submitter of a schema.register with id 0 learns the id
// it was assigned.
func IDForTx(st chain.Reader, txHash string) (uint64, bool, error) {
	id, _, ok, err := Published(st, txHash)
	return id, ok, err
}
