package wallet

// What the wallet checks of the credentials an issuer sends before it
// keeps them (OpenID4VCI 1.0 §8.2, §8.3: each credential answers a key
// proof the wallet sent, bound to its key, from the credential issuer the
// offer names), and the all-or-nothing store of an answer.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/internal/durable"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/oid4vci"
	"github.com/weidgo/weid/sdjwt"
)

// CredentialVerifier verifies a credential: a node's POST
// /credentials/verify (*client.Client), the verifier `weid wallet list`
// asks for a credential's status.
type CredentialVerifier interface {
	VerifyCredential(ctx context.Context, vc any, options map[string]any) (*api.VerifyResult, error)
}

// RefusedError reports a credential of an issuer's answer that the wallet
// refused; none of the answer's credentials was stored.
type RefusedError struct {
	// N is the credential's number in the answer (from 1), Of how many
	// the answer held; Issuer is the credential issuer (the offer's).
	N, Of  int
	Issuer string
	// Verdict is the verifier's, when the verifier refused it; else Err
	// says why.
	Verdict *api.Verdict
	Err     error
}

func (e *RefusedError) Error() string {
	why := ""
	if e.Err != nil {
		why = e.Err.Error()
	} else {
		var failed []string
		for _, c := range refusing(*e.Verdict) {
			failed = append(failed, c.Name+" failed ("+c.Detail+")")
		}
		why = "not verified: " + strings.Join(failed, ", ")
	}
	return fmt.Sprintf("%s: %s; nothing was stored", e.Where(), why)
}

// Where names the refused credential: "credential 2 of 3 from <issuer>".
func (e *RefusedError) Where() string {
	return fmt.Sprintf("credential %d of %d from %s", e.N, e.Of, TerminalText(e.Issuer, MaxShown))
}

func (e *RefusedError) Unwrap() error { return e.Err }

// refusing are the failed checks of vd that refuse a credential: all but a
// validity period that has not begun (an issuer may issue ahead, a diploma
// valid from graduation day; the wallet list shows it "not valid yet").
func refusing(vd api.Verdict) []api.Check {
	var out []api.Check
	for _, c := range vd.Errors {
		if c.Code != credential.ReasonValidityNotYet {
			out = append(out, c)
		}
	}
	if len(out) == 0 && !vd.Verified && len(vd.Errors) == 0 {
		out = append(out, api.Check{Name: "verdict", Status: credential.StatusFailed, Detail: "the verifier said not verified, naming no check"})
	}
	return out
}

// Receive redeems the credential offer link with c and stores the
// credentials the issuer sends, once each is checked (storeAnswer, with
// v) — all of them or, if one is refused (a *RefusedError) or is already
// held (ErrHeld), none. It returns what the issuer answered and the
// credentials as stored.
//
// The offer is used up once the issuer answered, so the answer is written
// to the wallet's ReceivedDir before it is checked, and leaves it once
// stored or refused: a wallet killed while the node checks it, or a
// verifier that does not answer (a *KeptError), loses nothing — the
// credential is stored, or kept there to add with `weid wallet add FILE`.
func (w *Wallet) Receive(ctx context.Context, c *VCIClient, v CredentialVerifier, link string, o ReceiveOptions) (*Received, []Stored, error) {
	h, err := w.Holder()
	if err != nil {
		return nil, nil, err
	}
	got, err := c.ReceiveOffer(ctx, link, h, o)
	if err != nil {
		return nil, nil, err
	}
	kept, kerr := w.keepReceived(got)
	stored, err := w.storeAnswer(ctx, v, h, got)
	var re *RefusedError
	if err == nil || errors.As(err, &re) || errors.Is(err, ErrHeld) {
		dropReceived(kept)
		return got, stored, err
	}
	if kerr != nil {
		return got, nil, fmt.Errorf("%w; the issuer's answer could not be kept either: %v", err, kerr)
	}
	return got, nil, &KeptError{Files: kept, Err: err}
}

// storeAnswer checks each credential of got and stores them all (addAll),
// or none.
func (w *Wallet) storeAnswer(ctx context.Context, v CredentialVerifier, h Holder, got *Received) ([]Stored, error) {
	var out []*Stored
	for i, raw := range got.Credentials {
		refuse := func(err error, vd *api.Verdict) error {
			return &RefusedError{N: i + 1, Of: len(got.Credentials), Issuer: got.Offer.CredentialIssuer, Err: err, Verdict: vd}
		}
		s, err := ParseCredential(raw)
		if err != nil {
			return nil, refuse(err, nil)
		}
		for _, prev := range out {
			if prev.ID == s.ID {
				return nil, refuse(errors.New("the issuer sent this credential twice"), nil)
			}
		}
		if len(out) > 0 && s.Issuer != out[0].Issuer {
			return nil, refuse(fmt.Errorf("it is issued by %s, credential 1 by %s: one credential issuer's answer has one issuer", s.Issuer, out[0].Issuer), nil)
		}
		if err := checkReceived(s, got.Format, h); err != nil {
			return nil, refuse(err, nil)
		}
		if err := checkType(s, got.configuration()); err != nil {
			return nil, refuse(err, nil)
		}
		vd, err := verify(ctx, v, s)
		if err != nil {
			// The node judged the credential (400, 422: it is no credential
			// it reads) — a refusal; any other answer (a 404 from an older
			// node or a wrong --node, 401, 429, 5xx) judged nothing, and
			// the answer stays in received/ (the offer is used up).
			var ce *client.Error
			if errors.As(err, &ce) && (ce.Status == http.StatusBadRequest || ce.Status == http.StatusUnprocessableEntity) {
				return nil, refuse(err, nil)
			}
			return nil, fmt.Errorf("verify credential %d of %d from %s: %w; nothing was stored", i+1, len(got.Credentials), got.Offer.CredentialIssuer, err)
		}
		if len(refusing(*vd)) > 0 {
			return nil, refuse(nil, vd)
		}
		out = append(out, s)
	}
	return w.addAll(out)
}

// ReceivedDir is the directory of a wallet where Receive keeps an issuer's
// answer while it is checked, and keeps it when it could not be (the
// verifier unreachable or failing, the wallet killed meanwhile): the offer
// is redeemed once, so what it brought is not thrown away.
const ReceivedDir = "received"

// KeptError reports an issuer's answer that was not stored (Err says why)
// but is kept, unverified, in Files of the wallet's ReceivedDir.
type KeptError struct {
	Files []string
	Err   error
}

func (e *KeptError) Error() string { return fmt.Sprintf("%v — %s", e.Err, e.Where()) }

// Where says where the answer is kept and how to store it.
func (e *KeptError) Where() string {
	return fmt.Sprintf("the offer is used up, so the issuer's answer, unverified, is kept in %s: once the node answers, add it with weid wallet add --verify FILE", strings.Join(e.Files, ", "))
}

func (e *KeptError) Unwrap() error { return e.Err }

// keepReceived writes each credential of got to its own file in the
// wallet's ReceivedDir, durably, and returns the files (none, if one could
// not be written).
func (w *Wallet) keepReceived(got *Received) ([]string, error) {
	dir := filepath.Join(w.Dir, ReceivedDir)
	if err := durable.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	stamp := time.Now().UTC().Format("20060102T150405.000000000Z")
	var files []string
	for i, raw := range got.Credentials {
		// A JWT or SD-JWT as its text, a JSON credential as it is: what
		// weid wallet add reads.
		b, ext := []byte(raw), ".json"
		var text string
		if json.Unmarshal(raw, &text) == nil {
			b, ext = []byte(text), ".txt"
		}
		f := filepath.Join(dir, fmt.Sprintf("%s-%d%s", stamp, i+1, ext))
		if err := durable.WriteNew(f, b, 0o600); err != nil {
			dropReceived(files)
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// dropReceived removes the files keepReceived wrote, once what they hold
// is stored or refused. A crash before leaves them: adding one then says
// the credential is held.
func dropReceived(files []string) {
	for _, f := range files {
		_ = os.Remove(f)
	}
	if len(files) > 0 {
		_ = durable.SyncDir(filepath.Dir(files[0]))
	}
}

// Pending returns the files of the wallet's ReceivedDir: issuer's answers
// not stored, to add with `weid wallet add --verify FILE`.
func (w *Wallet) Pending() ([]string, error) {
	dir := filepath.Join(w.Dir, ReceivedDir)
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	var out []string
	for _, e := range ents {
		// A temporary file a crash left (.<name>.tmp-…) is not an answer.
		if !e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out, err
}

// DropPending removes file from the wallet's ReceivedDir once what it
// holds is stored; a file elsewhere is left alone. It reports whether it
// removed it.
func (w *Wallet) DropPending(file string) bool {
	abs, err := filepath.Abs(file)
	dir, derr := filepath.Abs(filepath.Join(w.Dir, ReceivedDir))
	if err != nil || derr != nil || filepath.Dir(abs) != dir {
		return false
	}
	dropReceived([]string{abs})
	return true
}

// verify asks v for its verdict on s: an SD-JWT without its disclosures,
// as `weid wallet list` sends it (Stored.IssuerSigned), whose disclosures
// checkReceived matched to the digests v checks the signature of.
func verify(ctx context.Context, v CredentialVerifier, s *Stored) (*api.Verdict, error) {
	if v == nil {
		return nil, errors.New("no verifier to check the credential with")
	}
	res, err := v.VerifyCredential(ctx, s.IssuerSigned(), nil)
	if err != nil {
		return nil, err
	}
	return &res.Verdict, nil
}

// configFormats are the credential formats of OpenID4VCI 1.0 Appendix A
// that weid reads, as it tells them apart.
var configFormats = map[string]credential.Format{
	oid4vci.FormatSDJWT: credential.FormatSDJWT, "vc+sd-jwt": credential.FormatSDJWT,
	oid4vci.FormatJWTVCJSON: credential.FormatJWT, oid4vci.FormatLDPVC: credential.FormatDataIntegrity,
}

// checkReceived checks what the wallet can of a credential by itself: it
// is in the offered configuration's format; an SD-JWT's disclosures each
// match a digest of the issuer-signed JWT (RFC 9901 §7.1) and its "cnf" is
// h's key; any other credential is about h's DID (a credentialSubject.id,
// or the "sub" of a VC-JWT 1.1) and, if it binds a key ("cnf"), h's.
func checkReceived(s *Stored, format string, h Holder) error {
	if want, ok := configFormats[format]; ok && s.Format != want {
		return fmt.Errorf("it is a %s credential, not the offered %s", s.Format, format)
	}
	claims, _, err := s.Claims()
	if err != nil {
		return err
	}
	if s.Format == credential.FormatSDJWT {
		if claims, err = processed(s); err != nil {
			return err
		}
		if err := boundKey(claims, h, true); err != nil {
			return err
		}
		if sub, _ := claims["sub"].(string); strings.HasPrefix(sub, "did:") && sub != h.DID {
			return fmt.Errorf("it is about %s, not this wallet's holder %s", sub, h.DID)
		}
		return nil
	}
	if vc, ok := claims["vc"].(map[string]any); ok {
		if sub, _ := claims["sub"].(string); sub == h.DID {
			return boundKey(claims, h, false)
		}
		claims = vc
	}
	subjects, _ := claims["credentialSubject"].([]any)
	if m, ok := claims["credentialSubject"].(map[string]any); ok {
		subjects = []any{m}
	}
	for _, sub := range subjects {
		if m, _ := sub.(map[string]any); m != nil && m["id"] == h.DID {
			return boundKey(claims, h, false)
		}
	}
	return fmt.Errorf("it is not about this wallet's holder %s (no credentialSubject.id is)", h.DID)
}

// checkType checks that s is of the type the offered configuration
// names: an SD-JWT VC its "vct" (OpenID4VCI 1.0 Appendix A.3.2), a W3C
// credential every type of its credential_definition (Appendix A.1) — an
// offer of a diploma does not fill the wallet with something else. A
// configuration that names no type is not checked.
func checkType(s *Stored, conf oid4vci.CredentialConfiguration) error {
	claims, _, err := s.Claims()
	if err != nil {
		return err
	}
	if s.Format == credential.FormatSDJWT {
		if vct, _ := claims["vct"].(string); conf.Vct != "" && vct != conf.Vct {
			return fmt.Errorf("it is a %q credential (vct), not the offered %q", vct, conf.Vct)
		}
		return nil
	}
	if conf.CredentialDefinition == nil {
		return nil
	}
	if vc, ok := claims["vc"].(map[string]any); ok { // a VC-JWT 1.1
		claims = vc
	}
	types := credential.Strings(claims["type"])
	for _, want := range conf.CredentialDefinition.Type {
		if !slices.Contains(types, want) {
			return fmt.Errorf("it is of type %s, not the offered %s", strings.Join(types, ", "), strings.Join(conf.CredentialDefinition.Type, ", "))
		}
	}
	return nil
}

// configuration is the offered credential configuration of the issuer's
// metadata (zero if it had none).
func (r *Received) configuration() oid4vci.CredentialConfiguration {
	if r.Issuer == nil {
		return oid4vci.CredentialConfiguration{}
	}
	return r.Issuer.CredentialConfigurationsSupported[r.ConfigurationID]
}

// processed is the claims of the stored SD-JWT with its disclosures
// applied, each checked against the digests of the issuer-signed JWT.
func processed(s *Stored) (map[string]any, error) {
	var tok string
	if err := json.Unmarshal(s.Credential, &tok); err != nil {
		return nil, err
	}
	p, err := sdjwt.Parse(tok, sdjwt.TypVC, "vc+sd-jwt")
	if err != nil {
		return nil, err
	}
	claims, _, err := p.Processed()
	if err != nil {
		return nil, fmt.Errorf("its disclosures are not the issuer's: %w", err)
	}
	return claims, nil
}

// boundKey checks that the key claims bind ("cnf": {"jwk"}, RFC 7800) is
// h's; required says whether claims must bind one.
func boundKey(claims map[string]any, h Holder, required bool) error {
	cnf, ok := claims["cnf"].(map[string]any)
	if !ok {
		if required || claims["cnf"] != nil {
			return errors.New("it is not bound to this wallet's key: it has no \"cnf\" {\"jwk\"}")
		}
		return nil
	}
	pk, err := jose.ParsePublicJWKValue(cnf["jwk"])
	if err != nil {
		return fmt.Errorf("it is not bound to this wallet's key: \"cnf\": %w", err)
	}
	if pk.Multibase() != h.Key.Public().Multibase() {
		return errors.New("it is not bound to this wallet's key: its \"cnf\" is another key")
	}
	return nil
}

// addAll stores every credential of ss, or none: one the wallet holds
// already (ErrHeld) is found before any is written, and those written are
// removed if a later write fails.
func (w *Wallet) addAll(ss []*Stored) ([]Stored, error) {
	unlock, err := w.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	for _, s := range ss {
		// Held in any form: a fresh issuance has fresh salts, so a copy
		// held with fewer disclosures is not replaced here, where a later
		// failure would remove what replaced it (Add replaces it).
		if id, ok := w.Holds(s); ok {
			return nil, fmt.Errorf("%w; nothing was stored", &HeldError{ID: id})
		}
	}
	var stored []Stored
	for _, s := range ss {
		if _, err := w.add(s); err != nil {
			for _, done := range stored {
				_ = os.Remove(w.path(done.ID))
			}
			return nil, fmt.Errorf("%w; nothing was stored", err)
		}
		stored = append(stored, *s)
	}
	return stored, nil
}
