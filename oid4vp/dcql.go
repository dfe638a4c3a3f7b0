package oid4vp

// The Digital Credentials Query Language (OID4VP 1.0 §6) and claims path
// pointers (§7).

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Limits of what this package reads.
const (
	// MaxQueryBytes bounds a DCQL query's or presentation definition's JSON.
	MaxQueryBytes = 32 << 10
	// MaxCredentialQueries bounds the credential queries of one query.
	MaxCredentialQueries = 16
	// MaxClaimsQueries bounds the claims of one credential query.
	MaxClaimsQueries = 64
	// MaxPathLength bounds a claims path pointer.
	MaxPathLength = 16
	// MaxValues bounds a claims query's values and a meta's type lists.
	MaxValues = 32
)

// DCQL is a DCQL query (§6): the credentials requested and, optionally,
// which combinations of them satisfy the request.
type DCQL struct {
	Credentials    []CredentialQuery    `json:"credentials"`
	CredentialSets []CredentialSetQuery `json:"credential_sets,omitempty"`
}

// CredentialQuery is a Credential Query (§6.1).
type CredentialQuery struct {
	// ID names the query; the presentations answering it are under this
	// key in the vp_token (§8.1).
	ID     string `json:"id"`
	Format string `json:"format"`
	// Multiple allows several presentations for this query (default one).
	Multiple bool `json:"multiple,omitempty"`
	// Meta holds the format's constraints on the credential's type
	// (Appendix B): vct_values for dc+sd-jwt, type_values for W3C VCs.
	Meta Meta `json:"meta"`
	// TrustedAuthorities is read but not evaluated: weid's verifier
	// refuses a query that has it (its trust registry, not §6.1.1's
	// authority types, says which issuers are recognized).
	TrustedAuthorities json.RawMessage `json:"trusted_authorities,omitempty"`
	// RequireCryptographicHolderBinding defaults to true (§6.1); weid
	// always requires a holder proof.
	RequireCryptographicHolderBinding *bool `json:"require_cryptographic_holder_binding,omitempty"`
	// Claims are the claims requested; absent, none is (§6.4.1: the
	// credential's mandatory claims only).
	Claims []ClaimsQuery `json:"claims,omitempty"`
	// ClaimSets lists alternative sets of claim ids, preferred first.
	ClaimSets [][]string `json:"claim_sets,omitempty"`
}

// Meta is a credential query's meta (§6.1, Appendix B.1.1, B.3.5).
type Meta struct {
	// VctValues: the SD-JWT VC's vct is one of them (Appendix B.3.5).
	VctValues []string `json:"vct_values,omitempty"`
	// TypeValues: the W3C VC's type includes every type of one of the
	// lists (Appendix B.1.1).
	TypeValues [][]string `json:"type_values,omitempty"`
}

// ClaimsQuery is a Claims Query (§6.3).
type ClaimsQuery struct {
	ID string `json:"id,omitempty"`
	// Path is a claims path pointer (§7): strings select members, non-
	// negative integers array elements, null every element of an array.
	Path Path `json:"path"`
	// Values, if any, are the values of which the claim must have one:
	// strings, booleans and integers as json.Number.
	Values []any `json:"values,omitempty"`
}

// UnmarshalJSON reads a claims query keeping its integer values as
// json.Number (what the matcher compares), however it is decoded.
func (cl *ClaimsQuery) UnmarshalJSON(b []byte) error {
	type plain ClaimsQuery
	var p plain
	if err := decodeStrict(b, &p); err != nil {
		return err
	}
	*cl = ClaimsQuery(p)
	return nil
}

// CredentialSetQuery is a Credential Set Query (§6.2).
type CredentialSetQuery struct {
	// Options are sets of credential query ids; one set satisfies it.
	Options [][]string `json:"options"`
	// Required defaults to true.
	Required *bool `json:"required,omitempty"`
}

// Path is a claims path pointer (§7): each element a string, a
// non-negative integer or nil.
type Path []any

// UnmarshalJSON reads a claims path pointer, normalizing its integers.
func (p *Path) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return errors.New("a claims path pointer is a JSON array")
	}
	out := make(Path, 0, len(raw))
	for _, r := range raw {
		var v any
		if err := json.Unmarshal(r, &v); err != nil {
			return err
		}
		switch x := v.(type) {
		case nil, string:
			out = append(out, x)
		case float64:
			i, err := strconv.Atoi(string(r))
			if err != nil || i < 0 {
				return fmt.Errorf("claims path element %s is not a non-negative integer", truncate(string(r), 32))
			}
			out = append(out, i)
		default:
			return errors.New("claims path elements are strings, non-negative integers or null")
		}
	}
	*p = out
	return nil
}

// String shows the pointer as JSON.
func (p Path) String() string {
	b, _ := json.Marshal([]any(p))
	return string(b)
}

// JSONPointer returns the RFC 6901 pointer of a path of strings and
// integers (what an SD-JWT disclosure is addressed by), or false if it has
// a null (every element).
func (p Path) JSONPointer() (string, bool) {
	var sb strings.Builder
	for _, e := range p {
		sb.WriteByte('/')
		switch x := e.(type) {
		case string:
			sb.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(x))
		case int:
			sb.WriteString(strconv.Itoa(x))
		default:
			return "", false
		}
	}
	return sb.String(), true
}

var queryID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ParseDCQL strictly reads a DCQL query (§6) and checks it: at most
// MaxQueryBytes; 1 to MaxCredentialQueries credential queries with unique
// ids of alphanumerics, '_' and '-' (§6.1), a format weid verifies, meta
// for that format (a non-empty vct_values or type_values: Appendix B makes
// them required), claims with valid paths (§7) and, when claim_sets is
// given, ids that claim_sets only name; credential_sets whose options name
// existing queries.
func ParseDCQL(b []byte) (*DCQL, error) {
	if len(b) > MaxQueryBytes {
		return nil, fmt.Errorf("dcql_query: longer than %d bytes", MaxQueryBytes)
	}
	var q DCQL
	if err := decodeStrict(b, &q); err != nil {
		return nil, fmt.Errorf("dcql_query: %w", err)
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	return &q, nil
}

// Validate checks a DCQL query as ParseDCQL does.
func (q *DCQL) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("dcql_query: %s", fmt.Sprintf(format, args...))
	}
	if n := len(q.Credentials); n == 0 || n > MaxCredentialQueries {
		return bad("credentials must hold 1 to %d credential queries", MaxCredentialQueries)
	}
	ids := map[string]bool{}
	for i := range q.Credentials {
		c := &q.Credentials[i]
		if !queryID.MatchString(c.ID) {
			return bad("credentials[%d].id must be 1 to 64 of A-Z a-z 0-9 _ -", i)
		}
		if ids[c.ID] {
			return bad("credential query id %q is repeated", c.ID)
		}
		ids[c.ID] = true
		if err := c.validate(); err != nil {
			return bad("credential query %q: %v", c.ID, err)
		}
	}
	for i, s := range q.CredentialSets {
		if len(s.Options) == 0 || len(s.Options) > MaxValues {
			return bad("credential_sets[%d].options must hold 1 to %d options", i, MaxValues)
		}
		for _, opt := range s.Options {
			if len(opt) == 0 {
				return bad("credential_sets[%d] has an empty option", i)
			}
			for _, id := range opt {
				if !ids[id] {
					return bad("credential_sets[%d] names %q, which is no credential query", i, truncate(id, 64))
				}
			}
		}
	}
	return nil
}

// metaMember is the member of a query's meta that selects credentials of
// its formats by type (Appendix B.1.1 type_values, B.3.5 vct_values).
type metaMember struct {
	name, formats, query, what, unit, items string
}

var (
	vctValues = metaMember{"vct_values", "dc+sd-jwt", "a dc+sd-jwt query",
		"the vct values accepted (Appendix B.3.5)", "values", "non-empty strings"}
	typeValues = metaMember{"type_values", "W3C credentials", "a W3C credential query",
		"lists of the types a credential must have (Appendix B.1.1)", "lists", "non-empty lists of non-empty types"}
)

// check checks that a query has n values of member m, 1 to MaxValues, each
// one well-formed (valid), and none of other, the member of the other
// formats (otherN values).
func (m metaMember) check(n int, valid bool, other metaMember, otherN int) error {
	switch {
	case otherN > 0:
		return fmt.Errorf("meta.%s is for %s; %s has meta.%s", other.name, other.formats, m.query, m.name)
	case n == 0:
		return fmt.Errorf("meta.%s is required: %s", m.name, m.what)
	case n > MaxValues:
		return fmt.Errorf("meta.%s holds at most %d %s", m.name, MaxValues, m.unit)
	case !valid:
		return fmt.Errorf("meta.%s holds %s", m.name, m.items)
	}
	return nil
}

// badTypeList reports whether ts, one list of type_values, is empty, too
// long or names an empty type.
func badTypeList(ts []string) bool {
	return len(ts) == 0 || len(ts) > MaxValues || slices.Contains(ts, "")
}

func (c *CredentialQuery) validate() error {
	if !slices.Contains(Formats, c.Format) {
		return fmt.Errorf("format %q is not one weid verifies (%s)", truncate(c.Format, 64), strings.Join(Formats, ", "))
	}
	var err error
	if c.Format == FormatSDJWT {
		err = vctValues.check(len(c.Meta.VctValues), !slices.Contains(c.Meta.VctValues, ""), typeValues, len(c.Meta.TypeValues))
	} else {
		err = typeValues.check(len(c.Meta.TypeValues), !slices.ContainsFunc(c.Meta.TypeValues, badTypeList), vctValues, len(c.Meta.VctValues))
	}
	if err != nil {
		return err
	}
	if c.Claims != nil && len(c.Claims) == 0 {
		return errors.New("claims, if present, must not be empty (§6.1)")
	}
	if len(c.Claims) > MaxClaimsQueries {
		return fmt.Errorf("at most %d claims", MaxClaimsQueries)
	}
	claimIDs := map[string]bool{}
	for i, cl := range c.Claims {
		if n := len(cl.Path); n == 0 || n > MaxPathLength {
			return fmt.Errorf("claims[%d].path must hold 1 to %d elements", i, MaxPathLength)
		}
		if (c.Format == FormatJWTVCJSON || c.Format == FormatLDPVC) && cl.Path[0] == nil {
			return fmt.Errorf("claims[%d].path cannot start with null: a W3C credential is an object", i)
		}
		if len(cl.Values) > MaxValues {
			return fmt.Errorf("claims[%d].values holds at most %d values", i, MaxValues)
		}
		for _, v := range cl.Values {
			switch v.(type) {
			case string, bool, json.Number:
			default:
				return fmt.Errorf("claims[%d].values are strings, integers or booleans (§6.3)", i)
			}
			if n, ok := v.(json.Number); ok {
				if _, err := n.Int64(); err != nil {
					return fmt.Errorf("claims[%d].values are strings, integers or booleans (§6.3)", i)
				}
			}
		}
		if cl.ID != "" {
			if !queryID.MatchString(cl.ID) {
				return fmt.Errorf("claims[%d].id must be 1 to 64 of A-Z a-z 0-9 _ -", i)
			}
			if claimIDs[cl.ID] {
				return fmt.Errorf("claim id %q is repeated", cl.ID)
			}
			claimIDs[cl.ID] = true
		} else if len(c.ClaimSets) > 0 {
			return fmt.Errorf("claims[%d] needs an id: claim_sets refer to claims by id (§6.1)", i)
		}
	}
	if len(c.ClaimSets) > 0 && len(c.Claims) == 0 {
		return errors.New("claim_sets needs claims")
	}
	if len(c.ClaimSets) > MaxValues {
		return fmt.Errorf("claim_sets holds at most %d sets", MaxValues)
	}
	for i, set := range c.ClaimSets {
		if len(set) == 0 {
			return fmt.Errorf("claim_sets[%d] is empty", i)
		}
		for _, id := range set {
			if !claimIDs[id] {
				return fmt.Errorf("claim_sets[%d] names %q, which is no claim of this query", i, truncate(id, 64))
			}
		}
	}
	return nil
}

// Satisfied checks that the credential queries answered satisfy the
// query (§6.4.2): every credential query when there are no
// credential_sets; otherwise one option of every required set.
func (q *DCQL) Satisfied(answered map[string]bool) error {
	if len(q.CredentialSets) == 0 {
		for _, c := range q.Credentials {
			if !answered[c.ID] {
				return fmt.Errorf("credential query %q is not answered", c.ID)
			}
		}
		return nil
	}
	for i, s := range q.CredentialSets {
		if s.Required != nil && !*s.Required {
			continue
		}
		ok := false
		for _, opt := range s.Options {
			all := true
			for _, id := range opt {
				all = all && answered[id]
			}
			if all {
				ok = true
				break
			}
		}
		if !ok {
			return fmt.Errorf("credential set %d is not answered: present one of its options", i)
		}
	}
	return nil
}

// Query returns the credential query of id, or nil.
func (q *DCQL) Query(id string) *CredentialQuery {
	for i := range q.Credentials {
		if q.Credentials[i].ID == id {
			return &q.Credentials[i]
		}
	}
	return nil
}
