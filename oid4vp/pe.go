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
// contains with const or enum (for arrays such as type).
type Filter struct {
	Type     string  `json:"type,omitempty"`
	Const    any     `json:"const,omitempty"`
	Enum     []any   `json:"enum,omitempty"`
	Contains *Filter `json:"contains,omitempty"`
	Pattern  string  `json:"pattern,omitempty"`
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
// verifies; a required field whose path is the type (type, vc.type; vct
// for SD-JWT) with a const, enum or contains filter becomes meta; any other
// required field a claims query (its filter's const or enum its values).
// Optional fields are not asked for. Anything it cannot translate is an
// error naming it, rather than a query that asks for less.
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
			fl := f.Filter
			if typeField && fl.Contains != nil {
				fl = fl.Contains
			}
			switch {
			case fl.Const != nil:
				values = []any{fl.Const}
			case len(fl.Enum) > 0:
				values = fl.Enum
			case fl.Pattern != "" || fl.Contains != nil:
				return nil, fmt.Errorf("fields[%d].filter: only const, enum and (for the type) contains are translated", i)
			}
		}
		if typeField && len(values) > 0 {
			for _, v := range values {
				s, ok := v.(string)
				if !ok {
					return nil, fmt.Errorf("fields[%d].filter: a type is a string", i)
				}
				if cq.Format == FormatSDJWT {
					cq.Meta.VctValues = append(cq.Meta.VctValues, s)
				} else {
					cq.Meta.TypeValues = append(cq.Meta.TypeValues, []string{s})
				}
			}
			continue
		}
		cq.Claims = append(cq.Claims, ClaimsQuery{Path: path, Values: values})
	}
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
