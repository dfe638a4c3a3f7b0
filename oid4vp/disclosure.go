package oid4vp

// What a presentation showed beyond its query (§6.4.1: a wallet returns
// only what was asked). A verifier learns every claim it receives, not
// only those it keeps, so the disclosure check names two kinds apart:
// claims the wallet chose to disclose though not asked (SD-JWT
// disclosures), and claims the credential always shows, which the wallet
// could not withhold — the plain claims of an SD-JWT VC's issuer-signed
// payload, and every claim of a W3C credential (jwt_vc_json, ldp_vc: weid
// verifies no selective disclosure of them).

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/weidgo/weid/sdjwt"
)

// sdjwtVCRegistered are the SD-JWT VC claims that say what the credential
// is, not what it says about its subject (draft-ietf-oauth-sd-jwt-vc
// §3.2.2.2: iss, nbf, exp, cnf, vct, vct#integrity, status, sub, iat; jti
// of RFC 7519 §4.1.7), and the members weid maps from a W3C credential's
// credentialSchema and credentialStatus (credential/sdjwt.go). sub is the
// holder's identifier, which a verdict names anyway.
var sdjwtVCRegistered = []string{"iss", "sub", "iat", "nbf", "exp", "jti", "cnf", "vct", "vct#integrity", "status", "credentialSchema", "credentialStatus"}

// w3cMetadata are the members of a W3C credential that are the data
// model's own (VC Data Model 2.0 §4, and 1.1's issuanceDate and
// expirationDate), not claims: every other member, and every member of
// credentialSubject but its id, is a claim.
var w3cMetadata = []string{"@context", "id", "type", "issuer", "validFrom", "validUntil", "issuanceDate", "expirationDate",
	"credentialStatus", "credentialSchema", "proof", "name", "description", "termsOfUse", "refreshService", "relatedResource", "renderMethod"}

// unasked lists the claims of the credential that answered a query which
// no asked claims path names: shown, those the credential shows in the
// clear, and extra, those the wallet disclosed selectively. doc is a W3C
// credential; tok the compact SD-JWT of a dc+sd-jwt presentation.
func unasked(format string, doc map[string]any, tok string, asked []ClaimsQuery) (shown, extra []string) {
	w := &unaskedWalk{asked: asked}
	skip := w3cMetadata
	if format == FormatSDJWT {
		sd, err := sdjwt.Parse(tok)
		if err != nil {
			return nil, nil
		}
		claims, disclosed, err := sd.Processed()
		if err != nil {
			return nil, nil
		}
		doc, w.disclosed, skip = claims, disclosed, sdjwtVCRegistered
	}
	for _, k := range slices.Sorted(maps.Keys(doc)) {
		if slices.Contains(skip, k) {
			continue
		}
		if k == "credentialSubject" && format != FormatSDJWT {
			w.subjects(doc[k])
			continue
		}
		w.walk(doc[k], []any{k}, false)
	}
	return w.shown, w.extra
}

// unaskedWalk walks claims, collecting those no asked path covers.
type unaskedWalk struct {
	asked        []ClaimsQuery
	disclosed    []string // JSON pointers of the selectively disclosed claims
	shown, extra []string
}

// subjects walks a W3C credential's credentialSubject (one or several),
// whose ids are the holder's.
func (w *unaskedWalk) subjects(v any) {
	walkSubject := func(s any, path []any) {
		m, ok := s.(map[string]any)
		if !ok {
			w.walk(s, path, false)
			return
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if k != "id" {
				w.walk(m[k], append(slices.Clip(path), k), false)
			}
		}
	}
	if list, ok := v.([]any); ok {
		for i, s := range list {
			walkSubject(s, []any{"credentialSubject", i})
		}
		return
	}
	walkSubject(v, []any{"credentialSubject"})
}

// walk records the value v at path unless an asked path covers it,
// descending into objects and arrays that an asked path goes into or that
// hold claims disclosed otherwise than they are (so that each claim named
// is wholly shown or wholly disclosed). fromDisclosure says an enclosing
// value was disclosed.
func (w *unaskedWalk) walk(v any, path []any, fromDisclosure bool) {
	if w.covered(path) {
		return
	}
	ptr := jsonPointer(path)
	selective := fromDisclosure || slices.Contains(w.disclosed, ptr)
	descend := w.goesInto(path) || !selective && slices.ContainsFunc(w.disclosed, func(d string) bool { return strings.HasPrefix(d, ptr+"/") })
	switch x := v.(type) {
	case map[string]any:
		if descend && len(x) > 0 {
			for _, k := range slices.Sorted(maps.Keys(x)) {
				w.walk(x[k], append(slices.Clip(path), k), selective)
			}
			return
		}
	case []any:
		if descend && len(x) > 0 {
			for i, e := range x {
				w.walk(e, append(slices.Clip(path), i), selective)
			}
			return
		}
	}
	if selective {
		w.extra = append(w.extra, claimName(path))
	} else {
		w.shown = append(w.shown, claimName(path))
	}
}

// covered says an asked path selects path or a value enclosing it.
func (w *unaskedWalk) covered(path []any) bool {
	for _, cl := range w.asked {
		if len(cl.Path) <= len(path) && pathPrefix(cl.Path, path) {
			return true
		}
	}
	return false
}

// goesInto says an asked path selects something inside path.
func (w *unaskedWalk) goesInto(path []any) bool {
	for _, cl := range w.asked {
		if len(cl.Path) > len(path) && pathPrefix(cl.Path[:len(path)], path) {
			return true
		}
	}
	return false
}

// pathPrefix says claims path pointer q (§7) selects path's first len(q)
// elements: equal names and indexes, null for any index.
func pathPrefix(q Path, path []any) bool {
	for i, e := range q {
		switch x := e.(type) {
		case nil:
			if _, ok := path[i].(int); !ok {
				return false
			}
		default:
			if x != path[i] {
				return false
			}
		}
	}
	return true
}

// jsonPointer is the RFC 6901 pointer of a path of names and indexes.
func jsonPointer(path []any) string {
	p, _ := Path(path).JSONPointer()
	return p
}

// claimName is how a verdict names the claim at path: its names and
// indexes joined by dots ("address.street", "nationalities.0").
func claimName(path []any) string {
	parts := make([]string, len(path))
	for i, e := range path {
		switch x := e.(type) {
		case string:
			parts[i] = x
		case int:
			parts[i] = strconv.Itoa(x)
		}
	}
	return strings.Join(parts, ".")
}
