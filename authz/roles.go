package authz

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
)

// State keys of the trust registry.
const (
	prefixCommittee  = "gov/committee/"
	prefixIssuer     = "issuer/did/"
	prefixIssuerName = "issuer/name/"
)

// Member is api.Member.
type Member = api.Member

// Issuer is api.Issuer.
type Issuer = api.Issuer

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

// ListIssuers returns up to limit authority issuers in DID order, starting
// after the DID after ("" for the first page).
func ListIssuers(s chain.Scanner, after string, limit int) ([]Issuer, error) {
	var from []byte
	if after != "" {
		from = []byte(prefixIssuer + after)
	}
	return chain.AppendJSON[Issuer](nil, s.Scan, []byte(prefixIssuer), from, limit)
}

// ListCommittee returns the committee members in DID order.
func ListCommittee(s chain.Scanner) ([]Member, error) {
	return chain.AppendJSON[Member](nil, s.Scan, []byte(prefixCommittee), nil, 0)
}
