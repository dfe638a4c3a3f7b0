package ldproof

import (
	"embed"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/piprate/json-gold/ld"
)

// contextFiles holds the JSON-LD contexts weid knows, byte for byte as
// their maintainers publish them (contexts/SOURCES.md), each with its
// license.
//
//go:embed contexts
var contextFiles embed.FS

// ContextUndefinedTermsV2 is the context a VC 2.0 document whose
// contexts do not define all its terms names last (VC Data Model 2.0
// §5.2): its one @vocab, https://www.w3.org/ns/credentials/undefined-term#,
// gives every such term a URL. The Recommendation removed the @vocab the
// drafts had put in the base context (Appendix E).
const ContextUndefinedTermsV2 = "https://www.w3.org/ns/credentials/undefined-terms/v2"

// contextURLs maps every context URL a document may name to its embedded
// file. Nothing else is ever loaded: a verifier must not fetch contexts at
// run time (VC Data Model 2.0 §4.3, VC Data Integrity §2.4.1).
var contextURLs = map[string]string{
	"https://www.w3.org/2018/credentials/v1":           "contexts/digitalbazaar_credentials-context/v1.jsonld",
	"https://www.w3.org/ns/credentials/v2":             "contexts/digitalbazaar_credentials-context/v2.jsonld",
	ContextUndefinedTermsV2:                            "contexts/digitalbazaar_credentials-context/undefined-terms-v2.jsonld",
	"https://www.w3.org/ns/credentials/examples/v2":    "contexts/credentials-examples-v2.jsonld",
	"https://www.w3.org/2018/credentials/examples/v1":  "contexts/digitalbazaar_credentials-examples-context/credentials-examples-v1.jsonld",
	"https://www.w3.org/ns/odrl.jsonld":                "contexts/digitalbazaar_odrl-context/odrl.jsonld",
	"https://w3id.org/security/data-integrity/v1":      "contexts/digitalbazaar_data-integrity-context/data-integrity-v1.jsonld",
	"https://w3id.org/security/data-integrity/v2":      "contexts/digitalbazaar_data-integrity-context/data-integrity-v2.jsonld",
	"https://w3id.org/security/multikey/v1":            "contexts/digitalbazaar_multikey-context/multikey-v1.jsonld",
	"https://w3id.org/security/suites/ed25519-2020/v1": "contexts/ed25519-signature-2020-context/ed25519-signature-2020-v1.jsonld",
	"https://w3id.org/security/suites/ed25519-2018/v1": "contexts/ed25519-signature-2018-context/ed25519-signature-2018-v1.jsonld",
	"https://w3id.org/security/v1":                     "contexts/security-context/security-v1.jsonld",
	"https://w3id.org/security/v2":                     "contexts/security-context/security-v2.jsonld",
	"https://w3id.org/vc/status-list/2021/v1":          "contexts/digitalbazaar_vc-status-list-context/vc-status-list-v1.jsonld",
}

// ContextURLs returns the context URLs documents may name, in no order.
func ContextURLs() []string {
	out := make([]string, 0, len(contextURLs))
	for u := range contextURLs {
		out = append(out, u)
	}
	return out
}

// embeddedContexts is every embedded context parsed once. json-gold only
// reads a loaded document, so one parsed copy serves every goroutine.
var embeddedContexts = sync.OnceValues(func() (map[string]*ld.RemoteDocument, error) {
	docs := make(map[string]*ld.RemoteDocument, len(contextURLs))
	for u, file := range contextURLs {
		b, err := contextFiles.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("embedded context %s: %w", u, err)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, fmt.Errorf("embedded context %s: %w", u, err)
		}
		docs[u] = &ld.RemoteDocument{DocumentURL: u, Document: v, ContextURL: ""}
	}
	return docs, nil
})

// DocumentLoader returns a json-gold document loader that serves the
// embedded contexts (ContextURLs) and fails for any other URL without
// fetching it, for callers that run their own JSON-LD processing.
func DocumentLoader() (ld.DocumentLoader, error) {
	docs, err := embeddedContexts()
	if err != nil {
		return nil, err
	}
	return staticLoader(docs), nil
}

// staticLoader serves the embedded contexts and nothing else; unlike
// loader it keeps no state, so one value may serve many goroutines.
type staticLoader map[string]*ld.RemoteDocument

// LoadDocument implements ld.DocumentLoader.
func (s staticLoader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	if d, ok := s[u]; ok {
		return d, nil
	}
	return nil, &unknownContextError{u}
}

// unknownContextError is a context URL that is not embedded.
type unknownContextError struct{ url string }

func (e *unknownContextError) Error() string {
	return fmt.Sprintf("context %q is not one weid knows", e.url)
}

// ContextBytes returns the embedded document of a context URL, byte for
// byte as weid embeds it, and whether weid embeds that URL: the resource
// a verifier can retrieve without fetching anything, to check a
// credential's relatedResource digests against (VC Data Model 2.0 §5.3).
func ContextBytes(url string) ([]byte, bool) {
	file, ok := contextURLs[url]
	if !ok {
		return nil, false
	}
	b, err := contextFiles.ReadFile(file)
	return b, err == nil
}
