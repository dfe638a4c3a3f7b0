package main

import (
	"embed"
	"fmt"

	jsonld "github.com/piprate/json-gold/ld"

	"github.com/hyperledger/aries-framework-go/component/storageutil/mem"
	"github.com/hyperledger/aries-framework-go/pkg/doc/ld"
	"github.com/hyperledger/aries-framework-go/pkg/doc/ldcontext"
	ldstore "github.com/hyperledger/aries-framework-go/pkg/store/ld"
)

// contextFS holds the JSON-LD context documents, byte for byte as their
// maintainers publish them (copied from the project's shared/contexts, with
// each package's license and PACKAGE file beside it).
//
//go:embed contexts
var contextFS embed.FS

// contextFiles maps every context URL this program resolves to its embedded
// file. It is the whole allow list: any other URL is an error, even one that
// aries-framework-go itself ships (see strictLoader).
var contextFiles = map[string]string{
	"https://www.w3.org/2018/credentials/v1":           "contexts/digitalbazaar_credentials-context/v1.jsonld",
	"https://www.w3.org/ns/credentials/v2":             "contexts/digitalbazaar_credentials-context/v2.jsonld",
	"https://www.w3.org/ns/credentials/examples/v2":    "contexts/credentials-examples-v2.jsonld",
	"https://w3id.org/security/suites/ed25519-2020/v1": "contexts/ed25519-signature-2020-context/ed25519-signature-2020-v1.jsonld",
	"https://w3id.org/security/suites/ed25519-2018/v1": "contexts/ed25519-signature-2018-context/ed25519-signature-2018-v1.jsonld",
	"https://w3id.org/security/v1":                     "contexts/security-context/security-v1.jsonld",
	"https://w3id.org/security/v2":                     "contexts/security-context/security-v2.jsonld",
}

// ldProvider is the storage that aries's JSON-LD document loader reads
// (ld.NewDocumentLoader asks its argument for these two stores).
type ldProvider struct {
	contexts ldstore.ContextStore
	remotes  ldstore.RemoteProviderStore
}

// JSONLDContextStore returns the store the loader imports contexts into.
func (p *ldProvider) JSONLDContextStore() ldstore.ContextStore { return p.contexts }

// JSONLDRemoteProviderStore returns the (unused, empty) remote provider store.
func (p *ldProvider) JSONLDRemoteProviderStore() ldstore.RemoteProviderStore { return p.remotes }

// strictLoader is a json-gold document loader that answers only the URLs in
// contextFiles, through aries's own store-backed ld.DocumentLoader.
//
// aries's loader preloads its own embedded copies of some contexts (our files
// replace those with the same URL, via WithExtraContexts) and never goes to
// the network unless WithRemoteDocumentLoader is given, which it is not here.
// The allow list on top keeps the context set identical to what this module
// embeds, so an unknown context fails instead of resolving to a copy that
// happens to ship inside aries.
type strictLoader struct {
	aries *ld.DocumentLoader
}

// newStrictLoader imports the embedded contexts into an in-memory aries
// context store and returns a loader over it.
func newStrictLoader() (*strictLoader, error) {
	docs := make([]ldcontext.Document, 0, len(contextFiles))
	for url, file := range contextFiles {
		b, err := contextFS.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("read embedded context %s: %w", file, err)
		}
		docs = append(docs, ldcontext.Document{URL: url, Content: b})
	}

	storage := mem.NewProvider()
	contexts, err := ldstore.NewContextStore(storage)
	if err != nil {
		return nil, fmt.Errorf("open JSON-LD context store: %w", err)
	}
	remotes, err := ldstore.NewRemoteProviderStore(storage)
	if err != nil {
		return nil, fmt.Errorf("open JSON-LD remote provider store: %w", err)
	}

	loader, err := ld.NewDocumentLoader(&ldProvider{contexts: contexts, remotes: remotes},
		ld.WithExtraContexts(docs...))
	if err != nil {
		return nil, fmt.Errorf("new JSON-LD document loader: %w", err)
	}
	return &strictLoader{aries: loader}, nil
}

// LoadDocument implements json-gold's ld.DocumentLoader.
func (l *strictLoader) LoadDocument(url string) (*jsonld.RemoteDocument, error) {
	if _, ok := contextFiles[url]; !ok {
		return nil, fmt.Errorf("JSON-LD context %q is not embedded: %w", url, ld.ErrContextNotFound)
	}
	return l.aries.LoadDocument(url)
}
