package wallet

import (
	"net/url"
	"strings"

	"golang.org/x/net/idna"

	"github.com/weidgo/weid/oid4vp"
)

// Summary is what a presentation request asks and what the wallet would
// send: the facts a user consents to before Present.
type Summary struct {
	// ClientID is the client_id the request is bound to, and Verifier
	// its DID: who the verifier is, checked (the request object is signed
	// by a key of that DID).
	ClientID string `json:"clientId"`
	Verifier string `json:"verifier"`
	// VerifierName is the verifier's name in the trust registry, when
	// Registered: for the caller to set.
	VerifierName string `json:"verifierName,omitempty"`
	Registered   bool   `json:"registered"`
	// ClientName is the name the request gives its verifier
	// (client_metadata.client_name): its own word, checked by no one.
	ClientName string `json:"clientName,omitempty"`
	// SendsTo is the origin (scheme://host[:port]) of the response_uri
	// the presentation is posted to: the name above is the verifier's
	// word, this is where the answer goes.
	SendsTo      string `json:"sendsTo"`
	Purpose      string `json:"purpose,omitempty"`
	ResponseMode string `json:"responseMode"`
	Asked        []Ask  `json:"asked"`
	// Presented are the credentials chosen; Outcome and RedirectURI what
	// the verifier answered, once it did, and Warning why its
	// redirect_uri was not kept (PresentOutcome.Warning).
	Presented   []Chosen `json:"presented"`
	Outcome     string   `json:"outcome"`
	RedirectURI string   `json:"redirectUri,omitempty"`
	Warning     string   `json:"warning,omitempty"`
}

// Ask is one credential query of a request.
type Ask struct {
	Query  string   `json:"query"`
	Format string   `json:"format"`
	Types  []string `json:"types,omitempty"`
	Claims []string `json:"claims,omitempty"`
}

// Chosen is a credential chosen for a query, and what of it is disclosed.
type Chosen struct {
	Query      string   `json:"query"`
	Credential string   `json:"credential"`
	Format     string   `json:"format"`
	Disclosed  []string `json:"disclosed"`
	// Standing is what is known against the credential (revoked,
	// suspended, expired; Selection.Standing), "" when nothing is.
	Standing string `json:"standing,omitempty"`
}

// Summarize describes req and the selections that would answer it, as
// the request has it: the texts in it are the verifier's, to be shown
// with TerminalText. A verifier found in a trust registry is for the
// caller to name (VerifierName, Registered).
func Summarize(req *oid4vp.Request, sels []Selection) *Summary {
	sum := &Summary{ClientID: req.ClientID, Verifier: req.VerifierDID, Purpose: req.Purpose, ResponseMode: req.ResponseMode, Presented: []Chosen{}}
	if req.ClientMetadata != nil {
		sum.ClientName = req.ClientMetadata.ClientName
	}
	sum.SendsTo = origin(req.ResponseURI)
	for _, cq := range req.DCQL.Credentials {
		a := Ask{Query: cq.ID, Format: cq.Format, Types: cq.Meta.VctValues}
		for _, ts := range cq.Meta.TypeValues {
			a.Types = append(a.Types, strings.Join(ts, "+"))
		}
		for _, cl := range cq.Claims {
			a.Claims = append(a.Claims, cl.Path.String())
		}
		sum.Asked = append(sum.Asked, a)
	}
	for _, s := range sels {
		disclosed := s.Disclose
		if s.Format != oid4vp.FormatSDJWT {
			disclosed = []string{"(the whole credential)"}
		} else if disclosed == nil {
			disclosed = []string{}
		}
		sum.Presented = append(sum.Presented, Chosen{Query: s.QueryID, Credential: s.Credential.ID, Format: s.Format, Disclosed: disclosed, Standing: s.Standing})
	}
	return sum
}

// origin is the scheme and host (and port) of the URL u, the host in
// ASCII (IDNA: a Unicode host that imitates another domain shows as the
// xn-- name it is), or "" if u has no host.
func origin(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Hostname() == "" {
		return ""
	}
	host := p.Hostname()
	if ascii, err := idna.Lookup.ToASCII(host); err == nil {
		host = ascii
	}
	if strings.Contains(host, ":") { // an IPv6 address
		host = "[" + host + "]"
	}
	if port := p.Port(); port != "" {
		host += ":" + port
	}
	return p.Scheme + "://" + host
}
