package status

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
)

// Vocabulary of Bitstring Status List v1.0 and VC Data Model 2.0.
const (
	ContextV2          = "https://www.w3.org/ns/credentials/v2"
	TypeCredential     = "BitstringStatusListCredential"
	TypeList           = "BitstringStatusList"
	TypeEntry          = "BitstringStatusListEntry"
	typeVerifiableCred = "VerifiableCredential"
	// PathSegment is the path segment before a list id in a status list
	// credential URL: the URL of list id ends "/status-lists/" + id.
	PathSegment = "/status-lists/"
)

// URL returns the status list credential URL of list id under base, an
// absolute http(s) URL such as "https://node.example" (a trailing slash is
// dropped).
func URL(base, id string) string { return strings.TrimRight(base, "/") + PathSegment + id }

// ListIDFromURL returns the list id a status list credential URL names: an
// absolute http or https URL, with no query or fragment, whose path ends
// "/status-lists/" followed by a valid list id (without percent-escapes).
// The host is not looked at: a weid list is read from the reader's own
// ledger wherever it is served. ok is false for any other URL.
func ListIDFromURL(raw string) (id string, ok bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.User != nil || u.Opaque != "" {
		return "", false
	}
	p := u.EscapedPath()
	i := strings.LastIndex(p, PathSegment)
	if i < 0 {
		return "", false
	}
	id = p[i+len(PathSegment):]
	if !ValidID(id) {
		return "", false
	}
	return id, true
}

func checkURL(l *List, u string) error {
	if id, ok := ListIDFromURL(u); !ok || id != l.ID {
		return errs.BadRequest("status.invalidUrl", "the URL of status list %s must be an absolute http(s) URL without query or fragment whose path ends %s%s", l.ID, PathSegment, l.ID)
	}
	return nil
}

// Credential returns the unsigned BitstringStatusListCredential (§2.2) of
// list id as st has it, to be published at url (see URL): VC Data Model
// 2.0, issued by the list's issuer, validFrom the block time of the list's
// latest version, its credentialSubject (id url#list) carrying the
// purpose and the encodedList. A url whose path does not end
// "/status-lists/"+id is a 400 *errs.Error (status.invalidUrl): Checker
// would not recognize credentials pointing at it.
func Credential(st chain.Reader, id, url string) (map[string]any, error) {
	l, err := Get(st, id)
	if err != nil {
		return nil, err
	}
	if err := checkURL(l, url); err != nil {
		return nil, err
	}
	bits, err := Bits(st, l)
	if err != nil {
		return nil, err
	}
	enc, err := EncodeList(bits)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"@context":  []any{ContextV2},
		"id":        url,
		"type":      []any{typeVerifiableCred, TypeCredential},
		"issuer":    l.Issuer,
		"validFrom": l.Updated,
		"credentialSubject": map[string]any{
			"id":            url + "#list",
			"type":          TypeList,
			"statusPurpose": l.Purpose,
			"encodedList":   enc,
		},
	}, nil
}

// Entry returns the credentialStatus entry (§2.1) of index in list l,
// published at url: {id url#index, type BitstringStatusListEntry,
// statusPurpose, statusListIndex (decimal string), statusListCredential
// url}. An index outside the list or a url Credential would refuse is a
// 400 *errs.Error.
func Entry(l *List, url string, index uint64) (map[string]any, error) {
	if index >= l.Size {
		return nil, outOfRange(l, index)
	}
	if err := checkURL(l, url); err != nil {
		return nil, err
	}
	i := strconv.FormatUint(index, 10)
	return map[string]any{
		"id":                   url + "#" + i,
		"type":                 TypeEntry,
		"statusPurpose":        l.Purpose,
		"statusListIndex":      i,
		"statusListCredential": url,
	}, nil
}
