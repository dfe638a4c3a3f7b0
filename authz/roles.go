package authz

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/weidgo/weid/chain"
)

// State keys of the trust registry.
const (
	prefixCommittee  = "gov/committee/"
	prefixIssuer     = "issuer/did/"
	prefixIssuerName = "issuer/name/"
)

// Member is a committee member as the ledger records it.
type Member struct {
	DID     string `json:"did"`
	AddedBy string `json:"addedBy"`
	Added   string `json:"added"`
	TxHash  string `json:"txHash"`
	Height  uint64 `json:"height"`
}

// Issuer is an authority issuer as the ledger records it.
type Issuer struct {
	DID          string   `json:"did"`
	Name         string   `json:"name"`
	Description  string   `json:"description,omitempty"`
	Types        []string `json:"types,omitempty"`   // credential types it is accredited for
	Schemas      []uint64 `json:"schemas,omitempty"` // schema ids it is accredited for
	RecognizedBy string   `json:"recognizedBy"`
	Recognized   string   `json:"recognized"`
	TxHash       string   `json:"txHash"`
	Height       uint64   `json:"height"`
}

// AccreditedFor reports whether the issuer is accredited for credential type
// typ and schema id (0: no schema). An issuer recognized with no types and
// no schemas is accredited for every type and schema.
func (i *Issuer) AccreditedFor(typ string, schema uint64) bool {
	if len(i.Types) == 0 && len(i.Schemas) == 0 {
		return true
	}
	if typ != "" && len(i.Types) > 0 && !slices.Contains(i.Types, typ) {
		return false
	}
	if schema != 0 && len(i.Schemas) > 0 && !slices.Contains(i.Schemas, schema) {
		return false
	}
	return true
}

// nameKey normalizes a name for uniqueness: names are unique regardless of
// case and surrounding space.
func nameKey(name string) []byte {
	return []byte(prefixIssuerName + strings.ToLower(strings.TrimSpace(name)))
}

// IsCommittee reports whether did is a committee member in st.
func IsCommittee(st chain.Reader, did string) (bool, error) {
	_, ok, err := st.Get([]byte(prefixCommittee + did))
	return ok, err
}

// IsGovernor reports whether did is an admin or a committee member.
func IsGovernor(st chain.Reader, did string) (bool, error) {
	if ok, err := chain.IsAdmin(st, did); err != nil || ok {
		return ok, err
	}
	return IsCommittee(st, did)
}

// AuthorityIssuer returns the authority issuer record of did, if any.
func AuthorityIssuer(st chain.Reader, did string) (*Issuer, bool, error) {
	raw, ok, err := st.Get([]byte(prefixIssuer + did))
	if err != nil || !ok {
		return nil, false, err
	}
	var is Issuer
	if err := json.Unmarshal(raw, &is); err != nil {
		return nil, false, fmt.Errorf("decode issuer %s: %w", did, err)
	}
	return &is, true, nil
}

// IsAuthorityIssuer reports whether did is a recognized authority issuer.
func IsAuthorityIssuer(st chain.Reader, did string) (bool, error) {
	_, ok, err := st.Get([]byte(prefixIssuer + did))
	return ok, err
}

// IssuerByName returns the DID of the authority issuer with the given name.
func IssuerByName(st chain.Reader, name string) (string, bool, error) {
	v, ok, err := st.Get(nameKey(name))
	return string(v), ok, err
}

// Scanner iterates committed state in key order (chain.Ledger implements it).
type Scanner interface {
	Scan(prefix, after []byte, f func(key, value []byte) bool) error
}

// ListIssuers returns up to limit authority issuers in DID order, starting
// after the DID after ("" for the first page).
func ListIssuers(s Scanner, after string, limit int) ([]Issuer, error) {
	var out []Issuer
	var derr error
	var from []byte
	if after != "" {
		from = []byte(prefixIssuer + after)
	}
	err := s.Scan([]byte(prefixIssuer), from, func(_, v []byte) bool {
		var is Issuer
		if derr = json.Unmarshal(v, &is); derr != nil {
			return false
		}
		out = append(out, is)
		return len(out) < limit
	})
	if err == nil {
		err = derr
	}
	return out, err
}

// ListCommittee returns the committee members in DID order.
func ListCommittee(s Scanner) ([]Member, error) {
	var out []Member
	var derr error
	err := s.Scan([]byte(prefixCommittee), nil, func(_, v []byte) bool {
		var m Member
		if derr = json.Unmarshal(v, &m); derr != nil {
			return false
		}
		out = append(out, m)
		return true
	})
	if err == nil {
		err = derr
	}
	return out, err
}
