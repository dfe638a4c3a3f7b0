package oid4vci

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/weidgo/weid/internal/strictjson"
)

// OfferURI returns the deep link of an offer passed by value (§4.1.2):
// openid-credential-offer://?credential_offer=<the offer's JSON>.
func OfferURI(o *CredentialOffer) (string, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return "", err
	}
	return OfferScheme + "://?credential_offer=" + url.QueryEscape(string(b)), nil
}

// OfferRefURI returns the deep link of an offer passed by reference
// (§4.1.3): openid-credential-offer://?credential_offer_uri=<offerURL>.
func OfferRefURI(offerURL string) string {
	return OfferScheme + "://?credential_offer_uri=" + url.QueryEscape(offerURL)
}

// ParseOfferURI reads a credential offer deep link (§4.1): either the offer
// itself (credential_offer, returned parsed) or the https URL it is to be
// fetched from (credential_offer_uri), exactly one of them. Any scheme is
// accepted (wallets may register https links besides
// openid-credential-offer://); a bare offer JSON object is accepted too.
func ParseOfferURI(s string) (offer *CredentialOffer, ref string, err error) {
	s = strings.TrimSpace(s)
	if len(s) > MaxOfferURIBytes {
		return nil, "", fmt.Errorf("credential offer link: longer than %d bytes", MaxOfferURIBytes)
	}
	if strings.HasPrefix(s, "{") {
		o, err := ParseOffer([]byte(s))
		return o, "", err
	}
	_, query, ok := strings.Cut(s, "?")
	if !ok || !strings.Contains(s[:len(s)-len(query)-1], ":") {
		return nil, "", errors.New("credential offer link: want openid-credential-offer://?credential_offer=… or ?credential_offer_uri=…")
	}
	if i := strings.IndexByte(query, '#'); i >= 0 {
		query = query[:i]
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return nil, "", fmt.Errorf("credential offer link: query: %w", err)
	}
	byValue, byRef := q["credential_offer"], q["credential_offer_uri"]
	switch {
	case len(byValue) == 1 && len(byRef) == 0:
		o, err := ParseOffer([]byte(byValue[0]))
		return o, "", err
	case len(byRef) == 1 && len(byValue) == 0:
		if _, err := parseURL(byRef[0]); err != nil {
			return nil, "", fmt.Errorf("credential offer link: credential_offer_uri: %w", err)
		}
		return nil, byRef[0], nil
	}
	return nil, "", errors.New("credential offer link: want exactly one credential_offer or credential_offer_uri parameter")
}

// parseURL reads an absolute https URL; http is accepted only for a
// loopback host (a node on this machine, for trials and tests).
func parseURL(s string) (*url.URL, error) {
	if s == "" || len(s) > 2048 {
		return nil, errors.New("want an absolute https URL of at most 2048 bytes")
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, errors.New("not a URL")
	}
	if u.Host == "" || u.User != nil || u.Opaque != "" {
		return nil, fmt.Errorf("%q is not an absolute URL with a host and no user info", strictjson.Truncate(s, 200))
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !IsLoopback(u.Hostname()) {
			return nil, fmt.Errorf("%q: plain http only to a loopback host; use https", strictjson.Truncate(s, 200))
		}
	default:
		return nil, fmt.Errorf("%q is not an https URL", strictjson.Truncate(s, 200))
	}
	return u, nil
}

// CheckURL checks that s is an https URL (or http to a loopback host), as
// every endpoint a wallet is sent to must be.
func CheckURL(s string) error {
	_, err := parseURL(s)
	return err
}

// IsLoopback reports whether host is localhost or a loopback address.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// WellKnownURL returns where the metadata of kind (WellKnownIssuer,
// WellKnownAuthorizationServer) of identifier id is: the well-known suffix
// inserted between the host and the path (OID4VCI §12.2.2, RFC 8414 §3.1),
// so https://weid.example/issuers/acme/diploma has its issuer metadata at
// https://weid.example/.well-known/openid-credential-issuer/issuers/acme/diploma.
func WellKnownURL(id, kind string) (string, error) {
	u, err := parseURL(id)
	if err != nil {
		return "", err
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q has a query or fragment", strictjson.Truncate(id, 200))
	}
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	return u.Scheme + "://" + u.Host + "/.well-known/" + kind + path, nil
}
