package grants

import (
	"encoding/binary"
	"net/http"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
)

// State keys: the receipt of each grant (by id), the id of each grant hash,
// the grants of each grantor and grantee (index entries, by id), the access
// receipts of each grant (by sequence number) and the requests served.
const (
	prefixReceipt = "grant/g/"
	prefixHash    = "grant/h/"
	prefixGrantor = "grant/o/"
	prefixGrantee = "grant/e/"
	prefixAccess  = "grant/a/"
	prefixRequest = "grant/q/"
)

func receiptKey(id string) []byte      { return []byte(prefixReceipt + id) }
func hashKey(h string) []byte          { return []byte(prefixHash + h) }
func grantorIndex(d, id string) []byte { return []byte(prefixGrantor + d + "/" + id) }
func granteeIndex(d, id string) []byte { return []byte(prefixGrantee + d + "/" + id) }
func requestKey(h string) []byte       { return []byte(prefixRequest + h) }
func accessPrefix(id string) []byte    { return []byte(prefixAccess + id + "/") }
func accessKey(id string, seq int) []byte {
	return binary.BigEndian.AppendUint64(accessPrefix(id), uint64(seq))
}
func indexPrefix(prefix, d string) []byte   { return []byte(prefix + d + "/") }
func indexKey(prefix, d, id string) []byte  { return []byte(prefix + d + "/" + id) }
func afterKey(prefix, d, id string) []byte  { return indexKey(prefix, d, id) }
func accessAfter(id string, seq int) []byte { return accessKey(id, seq) }

// Stored statuses of a receipt. Whether a grant has expired or is not yet
// valid depends on the time it is asked about: Receipt.StatusAt.
const (
	StatusActive      = api.GrantStatusActive
	StatusRevoked     = api.GrantStatusRevoked
	StatusExpired     = api.GrantStatusExpired
	StatusNotYetValid = api.GrantStatusNotYetValid
)

// Event is api.GrantEvent.
type Event = api.GrantEvent

// Receipt is api.Grant.
type Receipt = api.Grant

// Access is api.GrantAccess.
type Access = api.GrantAccess

// Get returns the receipt of grant id, or 404 grant.notFound.
func Get(st chain.Reader, id string) (*Receipt, error) {
	if err := ValidID(id); err != nil {
		return nil, err
	}
	return mustReceipt(st, id)
}

func mustReceipt(st chain.Reader, id string) (*Receipt, error) {
	var r Receipt
	ok, err := chain.GetJSON(st, receiptKey(id), &r)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errs.New(http.StatusNotFound, "grant.notFound", "no grant %s is recorded", id)
	}
	return &r, nil
}

// ByHash returns the receipt of the grant whose hash is h, or 404
// grant.notFound.
func ByHash(st chain.Reader, h string) (*Receipt, error) {
	if !isHex64(h) {
		return nil, errs.BadRequest("grant.invalidHash", "a grant hash is a SHA-256 hash as 64 lowercase hex characters")
	}
	id, ok, err := st.Get(hashKey(h))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errs.New(http.StatusNotFound, "grant.notFound", "no grant of hash %s is recorded", h)
	}
	return mustReceipt(st, string(id))
}

// Parties of a listing.
const (
	ByGrantor = "grantor"
	ByGrantee = "grantee"
)

// MaxPage bounds a page of a listing.
const MaxPage = 100

// List returns up to limit receipts of the grants whose grantor (by
// ByGrantor) or grantee (ByGrantee) is d, in id order after the id after,
// and the id to continue after ("" at the end).
func List(s chain.Scanner, by, d, after string, limit int) ([]Receipt, string, error) {
	prefix := prefixGrantor
	switch by {
	case ByGrantor:
	case ByGrantee:
		prefix = prefixGrantee
	default:
		return nil, "", errs.BadRequest("grant.invalidQuery", "list grants by grantor or by grantee")
	}
	if _, err := did.ParseDID(d); err != nil {
		return nil, "", errs.BadRequest("grant.invalidQuery", "%s: %v", by, err)
	}
	if after != "" {
		if err := ValidID(after); err != nil {
			return nil, "", err
		}
	}
	if limit <= 0 || limit > MaxPage {
		limit = MaxPage
	}
	var ak []byte
	if after != "" {
		ak = afterKey(prefix, d, after)
	}
	p := indexPrefix(prefix, d)
	out := []Receipt{}
	var ids []string
	more := false
	err := s.Scan(p, ak, func(k, _ []byte) bool {
		if len(ids) == limit {
			more = true
			return false
		}
		ids = append(ids, string(k[len(p):]))
		return true
	})
	if err != nil {
		return nil, "", err
	}
	for _, id := range ids {
		r, err := mustReceipt(s, id)
		if err != nil {
			return nil, "", err
		}
		out = append(out, *r)
	}
	next := ""
	if more && len(ids) > 0 {
		next = ids[len(ids)-1]
	}
	return out, next, nil
}

// Accesses returns up to limit access receipts of grant id with a sequence
// number ≥ from, and the number to continue from (0 at the end).
func Accesses(s chain.Scanner, id string, from, limit int) ([]Access, int, error) {
	if _, err := Get(s, id); err != nil {
		return nil, 0, err
	}
	if limit <= 0 || limit > MaxPage {
		limit = MaxPage
	}
	var after []byte
	if from > 0 {
		after = accessAfter(id, from-1)
	}
	// One more than a page tells whether another follows.
	out, err := chain.AppendJSON([]Access{}, s.Scan, accessPrefix(id), after, limit+1)
	if err != nil {
		return nil, 0, err
	}
	next := 0
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].Seq + 1
	}
	return out, next, nil
}
