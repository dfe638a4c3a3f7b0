package server

// What server/oid4vp.go used from server/oid4vci.go before OpenID4VCI
// moved to package oid4vci and server/oid4vci: this file goes when
// OpenID4VP moves the same way.

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"

	"github.com/weidgo/weid/keystore"
	"github.com/weidgo/weid/server/httpx"
)

// eachRecord calls fn with every keystore record under prefix decoded as
// a T, skipping any that does not decode: the sweeper's reading of its
// records.
func eachRecord[T any](ks *keystore.Store, prefix string, fn func(rec *T)) error {
	return ks.Records(prefix, func(_ string, raw []byte) error {
		var rec T
		if json.Unmarshal(raw, &rec) == nil {
			fn(&rec)
		}
		return nil
	})
}

// writeQR answers with the QR code of link (httpx.QR).
func writeQR(w http.ResponseWriter, r *http.Request, link, badFormat string) {
	if err := httpx.QR(w, r, link, badFormat); err != nil {
		renderError(w, r, err)
	}
}

// vciFail writes err as an OAuth error if it is one (httpx.OAuth), else as
// a problem.
func vciFail(w http.ResponseWriter, r *http.Request, err error) {
	if err := httpx.OAuth(w, err); err != nil {
		renderError(w, r, err)
	}
}

// randomToken returns n random bytes, base64url.
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
