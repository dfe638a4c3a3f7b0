package oid4vp

// Matching a credential against a credential query (§6.4, §7.2).

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/ldproof"
)

// Credential is what the matcher sees of a credential.
type Credential struct {
	Format string
	// VCT is an SD-JWT VC's type; Types a W3C credential's (see
	// W3CTypes).
	VCT   string
	Types []string
	// Claims is the JSON the claims paths apply to (§7): the SD-JWT VC's
	// processed payload (Appendix B.3), or the W3C credential itself
	// (Appendix B.1).
	Claims map[string]any
}

// Match is how a credential answers a credential query.
type Match struct {
	// Claims are the claims queries the credential answers: all of them,
	// or those of the first claim set it satisfies (§6.4.1).
	Claims []ClaimsQuery
	// Disclosed holds the values those claims select, nested as in the
	// credential: what the verifier asked to see, nothing else.
	Disclosed map[string]any
}

// W3CTypes returns the types a W3C credential's meta.type_values are
// compared with: its "type" values as written and their fully expanded
// IRIs (Appendix B.1.1 asks for the expanded ones; the compact names that
// many verifiers send are accepted too).
func W3CTypes(doc map[string]any) []string {
	out := credential.Strings(doc["type"])
	for _, iri := range ldproof.ExpandedTypes(doc) {
		if !slices.Contains(out, iri) {
			out = append(out, iri)
		}
	}
	return out
}

// ErrNoMatch reports a credential that does not answer a query.
var ErrNoMatch = errors.New("the credential does not answer the query")

// Match tells whether c answers the query (§6.4): the same format; a vct
// in meta.vct_values (dc+sd-jwt) or every type of one of meta.type_values
// (W3C); and every requested claim present with one of its values if the
// query lists values — all claims, or those of one claim set, the first
// that the credential satisfies. The error says what is missing.
func (q *CredentialQuery) Match(c *Credential) (*Match, error) {
	if c.Format != q.Format {
		return nil, fmt.Errorf("%w: it is %s, the query asks for %s", ErrNoMatch, c.Format, q.Format)
	}
	if len(q.Meta.VctValues) > 0 && !slices.Contains(q.Meta.VctValues, c.VCT) {
		return nil, fmt.Errorf("%w: its vct %q is not one of meta.vct_values", ErrNoMatch, truncate(c.VCT, 100))
	}
	if len(q.Meta.TypeValues) > 0 {
		ok := false
		for _, want := range q.Meta.TypeValues {
			all := true
			for _, t := range want {
				all = all && slices.Contains(c.Types, t)
			}
			if all {
				ok = true
				break
			}
		}
		if !ok {
			return nil, fmt.Errorf("%w: its types %v include none of meta.type_values", ErrNoMatch, c.Types)
		}
	}
	m := &Match{Disclosed: map[string]any{}}
	if len(q.Claims) == 0 {
		return m, nil
	}
	sets := q.ClaimSets
	if len(sets) == 0 {
		all := make([]string, len(q.Claims))
		for i := range q.Claims {
			all[i] = strconv.Itoa(i)
		}
		sets = [][]string{all}
	}
	var firstErr error
	for _, set := range sets {
		claims := make([]ClaimsQuery, 0, len(set))
		for _, id := range set {
			claims = append(claims, q.claim(id, len(q.ClaimSets) == 0))
		}
		disclosed := map[string]any{}
		var err error
		for _, cl := range claims {
			var got map[string]any
			if got, err = cl.Select(c.Claims); err != nil {
				break
			}
			merge(disclosed, got)
		}
		if err == nil {
			m.Claims, m.Disclosed = claims, disclosed
			return m, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, fmt.Errorf("%w: %v", ErrNoMatch, firstErr)
}

// claim returns the claims query named by id: an index when there are no
// claim sets, else a claim id.
func (q *CredentialQuery) claim(id string, byIndex bool) ClaimsQuery {
	if byIndex {
		i, _ := strconv.Atoi(id)
		return q.Claims[i]
	}
	for _, cl := range q.Claims {
		if cl.ID == id {
			return cl
		}
	}
	return ClaimsQuery{}
}

// Select applies the claim's path to doc (§7.2) and checks its values
// (§6.4.1): it returns the projection of doc onto the path — the selected
// values nested under the members the path went through — or an error if
// nothing is selected or no selected value is one of the claim's values.
func (cl ClaimsQuery) Select(doc map[string]any) (map[string]any, error) {
	if len(cl.Path) == 0 {
		return nil, errors.New("an empty claims path")
	}
	var leaves []any
	proj, err := project(doc, cl.Path, &leaves)
	if err != nil {
		return nil, fmt.Errorf("claim %s: %v", cl.Path, err)
	}
	if len(leaves) == 0 {
		return nil, fmt.Errorf("claim %s is not in the credential", cl.Path)
	}
	if len(cl.Values) > 0 {
		ok := false
		for _, l := range leaves {
			for _, v := range cl.Values {
				ok = ok || sameValue(l, v)
			}
		}
		if !ok {
			return nil, fmt.Errorf("claim %s has none of the values asked for", cl.Path)
		}
	}
	m, _ := proj.(map[string]any)
	if m == nil {
		return nil, fmt.Errorf("claim %s: a path into a credential starts with a member name", cl.Path)
	}
	return m, nil
}

// project returns what path selects of v, nested as in v, and appends the
// selected values to leaves (§7.2: a string selects a member of an object,
// an integer an element of an array, null every element of an array; a
// selection of the wrong kind is an error, a missing member or index
// selects nothing).
func project(v any, path Path, leaves *[]any) (any, error) {
	if len(path) == 0 {
		if v != nil {
			*leaves = append(*leaves, v)
		}
		return v, nil
	}
	switch p := path[0].(type) {
	case string:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%q names a member of something that is not an object", truncate(p, 64))
		}
		child, ok := m[p]
		if !ok {
			return nil, nil
		}
		sub, err := project(child, path[1:], leaves)
		if err != nil || sub == nil {
			return nil, err
		}
		return map[string]any{p: sub}, nil
	case int:
		a, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("index %d of something that is not an array", p)
		}
		if p >= len(a) {
			return nil, nil
		}
		sub, err := project(a[p], path[1:], leaves)
		if err != nil || sub == nil {
			return nil, err
		}
		return []any{sub}, nil
	case nil:
		a, ok := v.([]any)
		if !ok {
			return nil, errors.New("null selects the elements of something that is not an array")
		}
		var out []any
		for _, e := range a {
			sub, err := project(e, path[1:], leaves)
			if err != nil {
				return nil, err
			}
			if sub != nil {
				out = append(out, sub)
			}
		}
		if out == nil {
			return nil, nil
		}
		return out, nil
	}
	return nil, errors.New("a claims path element is a string, a non-negative integer or null")
}

// merge adds src's members to dst, recursively for objects.
func merge(dst, src map[string]any) {
	for k, v := range src {
		if dm, ok := dst[k].(map[string]any); ok {
			if sm, ok := v.(map[string]any); ok {
				merge(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}

// sameValue compares a claim's value with a query's value (a string, a
// boolean or an integer as json.Number).
func sameValue(claim, want any) bool {
	switch w := want.(type) {
	case string:
		s, ok := claim.(string)
		return ok && s == w
	case bool:
		b, ok := claim.(bool)
		return ok && b == w
	case json.Number:
		switch c := claim.(type) {
		case json.Number:
			return c.String() == w.String()
		case float64:
			return strconv.FormatFloat(c, 'f', -1, 64) == w.String()
		case int:
			return strconv.Itoa(c) == w.String()
		}
	}
	return false
}

// Pointers returns the RFC 6901 pointers of the claims a match asks to
// disclose, each cut before its first null (every element of an array:
// the array is disclosed).
func (m *Match) Pointers() []string {
	var out []string
	for _, cl := range m.Claims {
		p := cl.Path
		if i := slices.Index([]any(p), nil); i >= 0 {
			p = p[:i]
		}
		if ptr, ok := p.JSONPointer(); ok && ptr != "" && !slices.Contains(out, ptr) {
			out = append(out, ptr)
		}
	}
	return out
}
