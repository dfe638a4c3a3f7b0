package oid4vp

// DIF Presentation Exchange 2.0 presentation definitions, which OID4VP
// drafts up to 22 used instead of DCQL and older wallets still speak. weid
// reads the part of them that says which credential and which claims — input
// descriptors with constraints.fields (path, filter, optional) — and
// translates a definition to the DCQL query it means, so both are matched
// by one matcher.

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// PresentationDefinition is a DIF Presentation Exchange 2.0 presentation
// definition (the members weid reads; others are ignored).
type PresentationDefinition struct {
	ID               string                     `json:"id"`
	Name             string                     `json:"name,omitempty"`
	Purpose          string                     `json:"purpose,omitempty"`
	Format           map[string]json.RawMessage `json:"format,omitempty"`
	InputDescriptors []InputDescriptor          `json:"input_descriptors"`
}

// InputDescriptor is one credential a presentation definition asks for.
type InputDescriptor struct {
	ID          string                     `json:"id"`
	Name        string                     `json:"name,omitempty"`
	Purpose     string                     `json:"purpose,omitempty"`
	Format      map[string]json.RawMessage `json:"format,omitempty"`
	Constraints Constraints                `json:"constraints"`
}

// Constraints are an input descriptor's constraints.
type Constraints struct {
	LimitDisclosure string  `json:"limit_disclosure,omitempty"`
	Fields          []Field `json:"fields,omitempty"`
}

// Field is a constraint on one claim: JSONPath expressions (the first that
// selects something counts) and an optional JSON Schema filter.
type Field struct {
	ID       string   `json:"id,omitempty"`
	Path     []string `json:"path"`
	Filter   *Filter  `json:"filter,omitempty"`
	Optional bool     `json:"optional,omitempty"`
	Purpose  string   `json:"purpose,omitempty"`
}

// Filter is the subset of JSON Schema weid translates: const, enum, and
// contains with const or enum (for arrays such as type); type and the
// annotations (title, description, $comment) are read and not translated.
// A filter with any other keyword (pattern, minimum, format, not…) is
// refused by ParsePresentationDefinition: translated without it, the query
// would ask for less than the definition.
type Filter struct {
	Type     any     `json:"type,omitempty"`
	Const    any     `json:"const,omitempty"`
	Enum     []any   `json:"enum,omitempty"`
	Contains *Filter `json:"contains,omitempty"`
	Pattern  string  `json:"pattern,omitempty"`

	keywords []string // every keyword of the JSON object, sorted
	hasConst bool     // const is present, null or not
}

// UnmarshalJSON reads a filter, its numbers as json.Number, and notes
// which keywords it has.
func (f *Filter) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		return errors.New("a filter is a JSON Schema object")
	}
	type plain Filter
	var p plain
	if err := decodeStrict(b, &p); err != nil {
		return err
	}
	*f = Filter(p)
	for k := range m {
		f.keywords = append(f.keywords, k)
	}
	slices.Sort(f.keywords)
	_, f.hasConst = m["const"]
	return nil
}

// filterAnnotations are the keywords of a filter that constrain nothing.
var filterAnnotations = []string{"type", "title", "description", "$comment"}

// values returns the values a filter allows — its const, or its enum — or
// nil for any value; keywords beyond those, and contains unless
// containsOK, are an error.
func (f *Filter) values(containsOK bool) (vals []any, contains bool, err error) {
	for _, k := range f.keywords {
		switch {
		case slices.Contains(filterAnnotations, k), k == "const", k == "enum":
		case k == "contains" && containsOK:
		default:
			return nil, false, fmt.Errorf("the JSON Schema keyword %q is not translated to DCQL (only const, enum and, for the type, contains)", truncate(k, 32))
		}
	}
	if f.hasConst && f.Enum != nil {
		return nil, false, errors.New("const and enum together are not translated")
	}
	switch {
	case f.hasConst && f.Const == nil:
		return nil, false, errors.New("const null is not translated (DCQL values are strings, integers and booleans)")
	case f.hasConst:
		return []any{f.Const}, false, nil
	case f.Enum != nil && len(f.Enum) == 0:
		return nil, false, errors.New("an empty enum allows nothing")
	case f.Enum != nil:
		return f.Enum, false, nil
	case f.Contains != nil:
		if f.hasConst || f.Enum != nil {
			return nil, false, errors.New("contains with const or enum beside it is not translated")
		}
		v, _, err := f.Contains.values(false)
		if err == nil && v == nil {
			err = errors.New("contains needs a const or an enum")
		}
		return v, true, err
	}
	return nil, false, nil
}

// peFormats maps Presentation Exchange format designations (DIF claim
// format registry) to OID4VP formats.
var peFormats = []struct{ pe, format string }{
	{"dc+sd-jwt", FormatSDJWT}, {"vc+sd-jwt", FormatSDJWT},
	{"jwt_vc_json", FormatJWTVCJSON}, {"jwt_vc", FormatJWTVCJSON}, {"jwt_vp_json", FormatJWTVCJSON}, {"jwt_vp", FormatJWTVCJSON},
	{"ldp_vc", FormatLDPVC}, {"ldp_vp", FormatLDPVC}, {"ldp", FormatLDPVC},
}

// ParsePresentationDefinition strictly reads a presentation definition and
// returns it with the DCQL query it translates to: one credential query
// per input descriptor (its id, which must be a DCQL id), in the format the
// descriptor (or else the definition) names first among those weid
// verifies; the required fields whose path is the type (type, vc.type; vct
// for SD-JWT) with a const, enum or contains filter become meta — every
// such field must hold, so type_values is the cross product of their
// alternatives and vct_values what all of them allow, and there must be
// one (Appendix B makes meta required); any other required field a claims
// query (its filter's const or enum its values). Optional fields are not
// asked for. Anything it cannot translate — a filter keyword other than
// const, enum, contains (for the type), type and annotations — is an error
// naming it, rather than a query that asks for less.
func ParsePresentationDefinition(b []byte) (*PresentationDefinition, *DCQL, error) {
	if len(b) > MaxQueryBytes {
		return nil, nil, fmt.Errorf("presentation_definition: longer than %d bytes", MaxQueryBytes)
	}
	var pd PresentationDefinition
	if err := decodeStrict(b, &pd); err != nil {
		return nil, nil, fmt.Errorf("presentation_definition: %w", err)
	}
	bad := func(format string, args ...any) (*PresentationDefinition, *DCQL, error) {
		return nil, nil, fmt.Errorf("presentation_definition: %s", fmt.Sprintf(format, args...))
	}
	if pd.ID == "" || len(pd.ID) > 256 {
		return bad("id must be a non-empty string of at most 256 bytes")
	}
	if n := len(pd.InputDescriptors); n == 0 || n > MaxCredentialQueries {
		return bad("input_descriptors must hold 1 to %d descriptors", MaxCredentialQueries)
	}
	q := &DCQL{}
	for i, d := range pd.InputDescriptors {
		if !queryID.MatchString(d.ID) {
			return bad("input_descriptors[%d].id must be 1 to 64 of A-Z a-z 0-9 _ -", i)
		}
		cq, err := d.query(pd.Format)
		if err != nil {
			return bad("input descriptor %q: %v", d.ID, err)
		}
		q.Credentials = append(q.Credentials, *cq)
	}
	if err := q.Validate(); err != nil {
		return bad("%v", err)
	}
	return &pd, q, nil
}

func (d *InputDescriptor) query(defFormat map[string]json.RawMessage) (*CredentialQuery, error) {
	cq := &CredentialQuery{ID: d.ID}
	for _, formats := range []map[string]json.RawMessage{d.Format, defFormat} {
		for _, f := range peFormats {
			if _, ok := formats[f.pe]; ok && cq.Format == "" {
				cq.Format = f.format
			}
		}
		if cq.Format != "" {
			break
		}
	}
	if cq.Format == "" {
		return nil, errors.New("no format weid verifies is named (dc+sd-jwt, vc+sd-jwt, jwt_vc_json, jwt_vp, ldp_vc, ldp_vp)")
	}
	if len(d.Constraints.Fields) > MaxClaimsQueries {
		return nil, fmt.Errorf("at most %d fields", MaxClaimsQueries)
	}
	// Each required type field allows some types; every field must hold
	// (PE: all fields), so the credential's type must include one type of
	// each: the cross product of the fields' alternatives (type_values is a
	// list of alternatives, each a list of types all required). A vct is
	// one string: the alternatives of every vct field must agree.
	var typeFields [][]string
	for i, f := range d.Constraints.Fields {
		if f.Optional {
			continue
		}
		if len(f.Path) == 0 {
			return nil, fmt.Errorf("fields[%d].path is empty", i)
		}
		path, err := jsonPath(f.Path[0], cq.Format)
		if err != nil {
			return nil, fmt.Errorf("fields[%d].path: %v", i, err)
		}
		typeField := len(path) == 1 && (cq.Format == FormatSDJWT && path[0] == "vct" || cq.Format != FormatSDJWT && path[0] == "type")
		var values []any
		if f.Filter != nil {
			if values, _, err = f.Filter.values(typeField); err != nil {
				return nil, fmt.Errorf("fields[%d].filter: %v", i, err)
			}
		}
		if typeField && len(values) > 0 {
			var alts []string
			for _, v := range values {
				s, ok := v.(string)
				if !ok || s == "" {
					return nil, fmt.Errorf("fields[%d].filter: a type is a non-empty string", i)
				}
				if !slices.Contains(alts, s) {
					alts = append(alts, s)
				}
			}
			typeFields = append(typeFields, alts)
			continue
		}
		cq.Claims = append(cq.Claims, ClaimsQuery{Path: path, Values: values})
	}
	if len(typeFields) == 0 {
		if cq.Format == FormatSDJWT {
			return nil, errors.New("no required field constrains $.vct with a const or enum: DCQL needs meta.vct_values (Appendix B.3.5)")
		}
		return nil, errors.New("no required field constrains $.type with a const, enum or contains: DCQL needs meta.type_values (Appendix B.1.1)")
	}
	if cq.Format == FormatSDJWT {
		vcts := typeFields[0]
		for _, alts := range typeFields[1:] {
			vcts = slices.DeleteFunc(slices.Clone(vcts), func(v string) bool { return !slices.Contains(alts, v) })
		}
		if len(vcts) == 0 {
			return nil, errors.New("the $.vct fields allow no common value")
		}
		cq.Meta.VctValues = vcts
		return cq, nil
	}
	combos := [][]string{{}}
	for _, alts := range typeFields {
		var next [][]string
		for _, c := range combos {
			for _, t := range alts {
				n := slices.Clone(c)
				if !slices.Contains(n, t) {
					n = append(n, t)
				}
				next = append(next, n)
			}
		}
		if len(next) > MaxValues {
			return nil, fmt.Errorf("the $.type fields combine to more than %d alternatives", MaxValues)
		}
		combos = next
	}
	cq.Meta.TypeValues = combos
	return cq, nil
}

var jsonPathName = regexp.MustCompile(`^[A-Za-z_$@][A-Za-z0-9_$@-]*`)

// jsonPath translates the JSONPath subset presentation definitions use —
// $ then .name, ['name'], ["name"], [n] and [*] — to a claims path pointer.
// For W3C credentials a leading vc (the VC Data Model 1.1 JWT claim) is
// dropped: weid's credentials are the JWT's payload.
func jsonPath(s, format string) (Path, error) {
	if len(s) > 512 || !strings.HasPrefix(s, "$") {
		return nil, fmt.Errorf("%q is not a JSONPath starting with $", truncate(s, 64))
	}
	rest := s[1:]
	var p Path
	for rest != "" {
		switch {
		case strings.HasPrefix(rest, "."):
			name := jsonPathName.FindString(rest[1:])
			if name == "" {
				return nil, fmt.Errorf("%q: a member name after '.'", truncate(s, 64))
			}
			p = append(p, name)
			rest = rest[1+len(name):]
		case strings.HasPrefix(rest, "['") || strings.HasPrefix(rest, `["`):
			q := rest[1]
			end := strings.IndexByte(rest[2:], q)
			if end < 0 || !strings.HasPrefix(rest[2+end+1:], "]") {
				return nil, fmt.Errorf("%q: an unterminated ['name']", truncate(s, 64))
			}
			p = append(p, rest[2:2+end])
			rest = rest[2+end+2:]
		case strings.HasPrefix(rest, "[*]"):
			p = append(p, nil)
			rest = rest[3:]
		case strings.HasPrefix(rest, "["):
			end := strings.IndexByte(rest, ']')
			n, err := strconv.Atoi(rest[1:max(end, 1)])
			if end < 0 || err != nil || n < 0 {
				return nil, fmt.Errorf("%q: only [n], [*] and ['name'] are read", truncate(s, 64))
			}
			p = append(p, n)
			rest = rest[end+1:]
		default:
			return nil, fmt.Errorf("%q: only $, .name, ['name'], [n] and [*] are read", truncate(s, 64))
		}
		if len(p) > MaxPathLength+1 {
			return nil, fmt.Errorf("%q: longer than %d elements", truncate(s, 64), MaxPathLength)
		}
	}
	if format != FormatSDJWT && len(p) > 1 && p[0] == "vc" {
		p = p[1:]
	}
	if len(p) == 0 || len(p) > MaxPathLength {
		return nil, fmt.Errorf("%q selects the whole credential or is too long", truncate(s, 64))
	}
	return p, nil
}

// PresentationSubmission says where, in a vp_token answering a
// presentation definition, each input descriptor's presentation is.
type PresentationSubmission struct {
	ID            string          `json:"id"`
	DefinitionID  string          `json:"definition_id"`
	DescriptorMap []DescriptorMap `json:"descriptor_map"`
}

// DescriptorMap locates one input descriptor's presentation: path is $
// (the vp_token is that presentation) or $[n] (its nth element).
type DescriptorMap struct {
	ID     string `json:"id"`
	Format string `json:"format"`
	Path   string `json:"path"`
}

// byDescriptor sorts a Presentation Exchange vp_token (one presentation,
// or an array of them) by input descriptor, as the submission maps them.
func byDescriptor(token json.RawMessage, sub *PresentationSubmission, pd *PresentationDefinition) (map[string][]json.RawMessage, error) {
	if pd != nil && sub.DefinitionID != pd.ID {
		return nil, errors.New("presentation_submission.definition_id is not the request's presentation definition")
	}
	var items []json.RawMessage
	isArray := json.Unmarshal(token, &items) == nil
	out := map[string][]json.RawMessage{}
	for _, d := range sub.DescriptorMap {
		if !queryID.MatchString(d.ID) {
			return nil, errors.New("presentation_submission: a descriptor id is not one of the request's")
		}
		if pd != nil && !slices.ContainsFunc(pd.InputDescriptors, func(in InputDescriptor) bool { return in.ID == d.ID }) {
			return nil, fmt.Errorf("presentation_submission names %q, which the request did not ask for", d.ID)
		}
		var item json.RawMessage
		switch {
		case d.Path == "$" && !isArray:
			item = token
		case strings.HasPrefix(d.Path, "$[") && strings.HasSuffix(d.Path, "]") && isArray:
			n, err := strconv.Atoi(d.Path[2 : len(d.Path)-1])
			if err != nil || n < 0 || n >= len(items) {
				return nil, fmt.Errorf("presentation_submission: path %q is not in the vp_token", truncate(d.Path, 32))
			}
			item = items[n]
		default:
			return nil, fmt.Errorf("presentation_submission: path %q is not $ or $[n] of the vp_token", truncate(d.Path, 32))
		}
		out[d.ID] = append(out[d.ID], item)
	}
	return out, nil
}
