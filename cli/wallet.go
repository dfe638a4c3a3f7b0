package cli

// A citizen's wallet: a directory holding the holder's encrypted key, the
// holder DID and the credentials the holder received. The key never leaves
// it: "weid vp create" signs presentations locally.
//
//	<wallet>/                 0700
//	  wallet.json             the holder DID, its verification method, key type and public key
//	  holder.key              the holder key, an encrypted key file (keys.EncryptKeyFile), 0600
//	  credentials/            0700
//	    <id>.json             one stored credential each, 0600 (see storedCredential)

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/sdjwt"
)

// Names inside a wallet directory.
const (
	walletMetaFile = "wallet.json"
	walletKeyFile  = "holder.key"
	walletCredDir  = "credentials"
	// walletIDLen is the length of a stored credential's id: hex digits of
	// the SHA-256 of the credential as stored.
	walletIDLen = 12
)

// walletMeta is wallet.json.
type walletMeta struct {
	Version int `json:"version"`
	// DID is the holder DID; VerificationMethod is the DID URL of the
	// holder key, an authentication method of DID (the "kid" of the
	// presentations the wallet signs).
	DID                string    `json:"did"`
	VerificationMethod string    `json:"verificationMethod"`
	KeyType            keys.Type `json:"keyType"`
	PublicKeyMultibase string    `json:"publicKeyMultibase"`
	Created            time.Time `json:"created"`
}

// storedCredential is credentials/<id>.json: the credential as received
// (normalized: an enveloped vc+jwt or SD-JWT is kept as its compact
// token) and what the wallet read from it to index it, unverified.
type storedCredential struct {
	// ID is the wallet's id of the credential: the first 12 hex digits of
	// the SHA-256 of the compact token, or of the credential object's
	// compacted JSON.
	ID     string            `json:"id"`
	Format credential.Format `json:"format"`
	// CredentialID is the credential's own id ("id" or "jti"), if any.
	CredentialID string   `json:"credentialId,omitempty"`
	Types        []string `json:"types"`
	Issuer       string   `json:"issuer"`
	Subject      string   `json:"subject,omitempty"`
	ValidFrom    string   `json:"validFrom,omitempty"`
	ValidUntil   string   `json:"validUntil,omitempty"`
	Added        string   `json:"added"`
	// Credential is a JSON string (vc+jwt, SD-JWT) or object (Data
	// Integrity).
	Credential json.RawMessage `json:"credential"`
}

// walletFlagUsage is the usage of every --wallet flag.
const walletFlagUsage = "wallet directory (default $WEID_WALLET, else ~/.weid/wallet)"

// walletDir is the wallet directory: flag if set, else $WEID_WALLET, else
// ~/.weid/wallet.
func walletDir(flag string) string {
	if flag != "" {
		return flag
	}
	if v := os.Getenv("WEID_WALLET"); v != "" {
		return v
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return filepath.Join(".weid", "wallet")
	}
	return filepath.Join(home, ".weid", "wallet")
}

// wallet is an opened wallet directory.
type wallet struct {
	dir  string
	meta walletMeta
}

// openWallet reads the wallet in dir.
func openWallet(dir string) (*wallet, error) {
	b, err := os.ReadFile(filepath.Join(dir, walletMetaFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no wallet in %s: create one with \"weid wallet init --wallet %s\"", dir, dir)
	}
	if err != nil {
		return nil, err
	}
	w := &wallet{dir: dir}
	if err := json.Unmarshal(b, &w.meta); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, walletMetaFile), err)
	}
	if w.meta.Version != 1 || w.meta.DID == "" || w.meta.VerificationMethod == "" {
		return nil, fmt.Errorf("%s: not a weid wallet (version 1 with a DID and a verification method)", filepath.Join(dir, walletMetaFile))
	}
	return w, nil
}

// key decrypts the holder key and checks it is the wallet's.
func (w *wallet) key(passFile string) (*keys.PrivateKey, error) {
	k, _, err := loadKey(filepath.Join(w.dir, walletKeyFile), passFile)
	if err != nil {
		return nil, err
	}
	if k.Public().Multibase() != w.meta.PublicKeyMultibase {
		return nil, fmt.Errorf("%s does not hold the key named in %s", filepath.Join(w.dir, walletKeyFile), walletMetaFile)
	}
	return k, nil
}

// credPath is the file of the stored credential id.
func (w *wallet) credPath(id string) string {
	return filepath.Join(w.dir, walletCredDir, id+".json")
}

// credentials returns every stored credential, sorted by the time added
// then id.
func (w *wallet) credentials() ([]*storedCredential, error) {
	ents, err := os.ReadDir(filepath.Join(w.dir, walletCredDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*storedCredential
	for _, e := range ents {
		id, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || e.IsDir() {
			continue
		}
		sc, err := w.credential(id)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Added != out[j].Added {
			return out[i].Added < out[j].Added
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// credential reads the stored credential id.
func (w *wallet) credential(id string) (*storedCredential, error) {
	p := w.credPath(id)
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no credential %q in the wallet %s (see weid wallet list)", id, w.dir)
	}
	if err != nil {
		return nil, err
	}
	var sc storedCredential
	if err := json.Unmarshal(b, &sc); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if sc.ID != id || len(sc.Credential) == 0 {
		return nil, fmt.Errorf("%s: not a stored credential of id %s", p, id)
	}
	return &sc, nil
}

// find returns the stored credential whose id is id or starts with it.
func (w *wallet) find(id string) (*storedCredential, error) {
	if id == "" || strings.ContainsAny(id, `/\.`) {
		return nil, fmt.Errorf("%q is not a credential id of the wallet (see weid wallet list)", id)
	}
	if len(id) == walletIDLen {
		return w.credential(id)
	}
	all, err := w.credentials()
	if err != nil {
		return nil, err
	}
	var match []*storedCredential
	for _, sc := range all {
		if strings.HasPrefix(sc.ID, id) {
			match = append(match, sc)
		}
	}
	switch len(match) {
	case 0:
		return nil, fmt.Errorf("no credential %q in the wallet %s (see weid wallet list)", id, w.dir)
	case 1:
		return match[0], nil
	}
	return nil, fmt.Errorf("%q names %d credentials of the wallet; give more of the id", id, len(match))
}

// secured returns how the stored credential is secured.
func (sc *storedCredential) secured() (credential.Secured, error) {
	sec, err := credential.Classify(sc.Credential)
	if err != nil {
		return sec, fmt.Errorf("stored credential %s: %w", sc.ID, err)
	}
	return sec, nil
}

// readCredential classifies raw (a file's bytes: a compact token or JSON)
// as a credential, normalizes it (an enveloped credential becomes its
// compact token) and indexes it, without verifying anything.
func readCredential(raw []byte) (*storedCredential, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, errors.New("the credential is empty")
	}
	var value json.RawMessage
	if raw[0] == '{' || raw[0] == '"' {
		value = raw
	} else {
		b, err := json.Marshal(string(raw))
		if err != nil {
			return nil, err
		}
		value = b
	}
	sec, err := credential.Classify(value)
	if err != nil {
		return nil, err
	}
	sc := &storedCredential{Format: sec.Format}
	var stored []byte
	var claims map[string]any
	switch sec.Format {
	case credential.FormatJWT, credential.FormatSDJWT:
		token := sec.Token
		issuerJWT := token
		if sec.Format == credential.FormatSDJWT {
			issuerJWT, _, _ = strings.Cut(token, "~")
		}
		j, err := jose.Parse(issuerJWT)
		if err != nil {
			return nil, fmt.Errorf("%s credential: %w", sec.Format, err)
		}
		if err := json.Unmarshal(j.Payload, &claims); err != nil || claims == nil {
			return nil, fmt.Errorf("%s credential: the payload is not a JSON object", sec.Format)
		}
		stored = []byte(token)
		if sc.Credential, err = json.Marshal(token); err != nil {
			return nil, err
		}
	case credential.FormatDataIntegrity:
		var buf bytes.Buffer
		if err := json.Compact(&buf, sec.Doc); err != nil {
			return nil, fmt.Errorf("credential: %w", err)
		}
		if err := json.Unmarshal(buf.Bytes(), &claims); err != nil {
			return nil, fmt.Errorf("credential: %w", err)
		}
		stored = buf.Bytes()
		sc.Credential = buf.Bytes()
	default:
		return nil, fmt.Errorf("credential format %q is not supported", sec.Format)
	}
	sum := sha256.Sum256(stored)
	sc.ID = hex.EncodeToString(sum[:])[:walletIDLen]
	sc.index(claims)
	return sc, nil
}

// index fills the indexed fields from a credential's claims: VC 2.0
// members (id, type, issuer, credentialSubject.id, validFrom, validUntil),
// or the JWT / SD-JWT VC claims (jti, vct, iss, sub, nbf, exp).
func (sc *storedCredential) index(c map[string]any) {
	str := func(k string) string { s, _ := c[k].(string); return s }
	date := func(k string) string {
		switch v := c[k].(type) {
		case string:
			return v
		case float64:
			return time.Unix(int64(v), 0).UTC().Format(time.RFC3339)
		}
		return ""
	}
	first := func(a, b string) string {
		if a != "" {
			return a
		}
		return b
	}
	sc.CredentialID = first(str("id"), str("jti"))
	switch t := c["type"].(type) {
	case string:
		sc.Types = []string{t}
	case []any:
		for _, e := range t {
			if s, ok := e.(string); ok {
				sc.Types = append(sc.Types, s)
			}
		}
	}
	if vct := str("vct"); vct != "" {
		sc.Types = append(sc.Types, vct)
	}
	switch is := c["issuer"].(type) {
	case string:
		sc.Issuer = is
	case map[string]any:
		sc.Issuer, _ = is["id"].(string)
	}
	sc.Issuer = first(sc.Issuer, str("iss"))
	switch s := c["credentialSubject"].(type) {
	case map[string]any:
		sc.Subject, _ = s["id"].(string)
	case []any:
		if len(s) > 0 {
			if m, ok := s[0].(map[string]any); ok {
				sc.Subject, _ = m["id"].(string)
			}
		}
	}
	sc.Subject = first(sc.Subject, str("sub"))
	sc.ValidFrom = first(date("validFrom"), date("nbf"))
	sc.ValidUntil = first(date("validUntil"), date("exp"))
	if sc.Types == nil {
		sc.Types = []string{}
	}
}

// claims decodes the stored credential's claims: the credential object,
// the vc+jwt payload, or the SD-JWT issuer JWT payload and its
// disclosures.
func (sc *storedCredential) claims() (map[string]any, []map[string]any, error) {
	sec, err := sc.secured()
	if err != nil {
		return nil, nil, err
	}
	var claims map[string]any
	switch sec.Format {
	case credential.FormatDataIntegrity:
		err = json.Unmarshal(sec.Doc, &claims)
	case credential.FormatJWT:
		var j *jose.JWS
		if j, err = jose.Parse(sec.Token); err == nil {
			err = json.Unmarshal(j.Payload, &claims)
		}
	case credential.FormatSDJWT:
		issuerJWT, _, _ := strings.Cut(sec.Token, "~")
		var j *jose.JWS
		if j, err = jose.Parse(issuerJWT); err == nil {
			err = json.Unmarshal(j.Payload, &claims)
		}
		if err == nil {
			var ds []map[string]any
			if p, perr := sdjwt.Parse(sec.Token, sdjwt.TypVC, "vc+sd-jwt"); perr == nil {
				for _, d := range p.Disclosures {
					m := map[string]any{"value": d.Value}
					if d.ArrayElement {
						m["arrayElement"] = true
					} else {
						m["name"] = d.Name
					}
					ds = append(ds, m)
				}
			}
			return claims, ds, nil
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("stored credential %s: %w", sc.ID, err)
	}
	return claims, nil, nil
}

// writeFileExcl writes a new file with mode perm, failing if it exists.
func writeFileExcl(path string, b []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

func walletCmd(g *globals) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "wallet",
		Short: "A holder's local wallet: its DID key and the credentials it received",
		Long: `A wallet is a directory (--wallet, default $WEID_WALLET or ~/.weid/wallet,
mode 0700) holding the holder's key in an encrypted key file, the holder DID,
and the credentials the holder received, one file each. The key never leaves
the wallet: "weid vp create" and "weid wallet present" sign presentations with it
locally.

Layout: wallet.json (the holder DID and its verification method),
holder.key (the encrypted key, 0600), credentials/<id>.json (each credential
and what the wallet read from it; <id> is the first 12 hex digits of the
SHA-256 of the credential).`,
	}
	cmd.PersistentFlags().StringVar(&dir, "wallet", "", walletFlagUsage)
	cmd.AddCommand(walletInitCmd(g, &dir), walletAddCmd(g, &dir), walletListCmd(g, &dir), walletShowCmd(g, &dir), walletReceiveCmd(g, &dir), walletPresentCmd(g, &dir))
	return cmd
}

func walletInitCmd(g *globals, dir *string) *cobra.Command {
	var typ, holder, keyFile, keyID, passFile string
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create a wallet with a new holder key and its did:key DID, or an existing DID's key",
		Long: `Create a wallet directory (mode 0700). By default it generates a holder key
of --type, stores it encrypted with the passphrase (--passphrase-file, else
WEID_PASSPHRASE, else a prompt) and uses the key's did:key DID as the holder
DID: that needs no ledger.

With --did and --key, the wallet holds a copy of an existing key file (from
"weid key generate") and uses that DID, e.g. a did:weid registered with
"weid did create". Presentations are signed as the DID's authentication
method --key-id (e.g. key-1); without --key-id the DID is resolved through
--node to find the method that holds the key.

Refuses to overwrite an existing wallet.`,
		Example: `  export WEID_PASSPHRASE='a passphrase for the wallet key'
  weid wallet init                                  # ~/.weid/wallet, Ed25519, did:key
  weid wallet init --wallet ./alice --type p-256
  weid wallet init --wallet ./alice --did "$DID" --key alice.key --key-id key-1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			wdir := walletDir(*dir)
			if _, err := os.Stat(filepath.Join(wdir, walletMetaFile)); err == nil {
				return fmt.Errorf("a wallet already exists in %s; it is not overwritten", wdir)
			}
			if ents, err := os.ReadDir(wdir); err == nil && len(ents) > 0 {
				return fmt.Errorf("%s exists and is not empty; choose another --wallet", wdir)
			}
			if (holder == "") != (keyFile == "") {
				return errors.New("--did and --key go together: the DID and the key file of one of its keys")
			}
			if holder == "" && keyID != "" {
				return errors.New("--key-id needs --did and --key")
			}
			var (
				k       *keys.PrivateKey
				keyJSON []byte
				meta    = walletMeta{Version: 1, Created: time.Now().UTC().Truncate(time.Second)}
			)
			if holder == "" {
				if cmd.Flags().Changed("type") && typ == "" {
					return errors.New("--type must not be empty")
				}
				t, err := walletKeyType(typ)
				if err != nil {
					return err
				}
				pass, err := passphrase(passFile, true)
				if err != nil {
					return err
				}
				if k, err = keys.Generate(t); err != nil {
					return err
				}
				meta.DID = did.KeyDID(k.Public())
				if meta.DID == "" {
					return fmt.Errorf("no did:key for a %s key", t)
				}
				meta.VerificationMethod = meta.DID + "#" + k.Public().Multibase()
				if keyJSON, err = keys.EncryptKeyFile(k, meta.DID, pass); err != nil {
					return err
				}
			} else {
				if cmd.Flags().Changed("type") {
					return errors.New("--type is for a new key; with --key the key file says its type")
				}
				if _, err := did.ParseDIDURL(holder); err != nil || strings.ContainsAny(holder, "#?/") {
					return fmt.Errorf("--did %q is not a DID", holder)
				}
				var err error
				if keyJSON, err = os.ReadFile(keyFile); err != nil {
					return err
				}
				if k, _, err = loadKey(keyFile, passFile); err != nil {
					return err
				}
				meta.DID = holder
				if meta.VerificationMethod, err = holderMethod(cmd.Context(), g, holder, keyID, k.Public()); err != nil {
					return err
				}
			}
			meta.KeyType = k.Type()
			meta.PublicKeyMultibase = k.Public().Multibase()
			metaJSON, err := json.MarshalIndent(meta, "", "  ")
			if err != nil {
				return err
			}
			if err := os.MkdirAll(wdir, 0o700); err != nil {
				return err
			}
			if err := os.Chmod(wdir, 0o700); err != nil {
				return err
			}
			if err := os.Mkdir(filepath.Join(wdir, walletCredDir), 0o700); err != nil {
				return err
			}
			if err := writeFileExcl(filepath.Join(wdir, walletKeyFile), keyJSON, 0o600); err != nil {
				return err
			}
			// wallet.json last: a wallet exists once it is written.
			if err := writeFileExcl(filepath.Join(wdir, walletMetaFile), append(metaJSON, '\n'), 0o600); err != nil {
				return err
			}
			res := map[string]any{"wallet": wdir, "did": meta.DID, "verificationMethod": meta.VerificationMethod, "keyType": meta.KeyType, "publicKeyMultibase": meta.PublicKeyMultibase}
			return g.print(res, func(w io.Writer) {
				fmt.Fprintf(w, "wallet %s\nDID %s\nverificationMethod %s\nkey %s %s\n", wdir, meta.DID, meta.VerificationMethod, meta.KeyType, meta.PublicKeyMultibase)
			})
		},
	}
	cmd.Flags().StringVar(&typ, "type", "Ed25519", "type of a new holder key: Ed25519, P-256, secp256k1 or SM2")
	cmd.Flags().StringVar(&holder, "did", "", "use this existing DID as the holder (with --key)")
	cmd.Flags().StringVar(&keyFile, "key", "", "key file of one of the --did's authentication keys; the wallet keeps a copy")
	cmd.Flags().StringVar(&keyID, "key-id", "", "the key's verification method in --did's document (e.g. key-1); default: resolve --did through --node")
	cmd.Flags().StringVar(&passFile, "passphrase-file", "", "file holding the key passphrase (default: WEID_PASSPHRASE or a prompt)")
	return cmd
}

// walletKeyType reads --type: ed25519, p-256 or secp256k1 in any case, or
// an alias keys.ParseType knows.
func walletKeyType(s string) (keys.Type, error) {
	switch strings.ToLower(s) {
	case "ed25519":
		return keys.Ed25519, nil
	case "p-256", "p256":
		return keys.P256, nil
	case "secp256k1":
		return keys.Secp256k1, nil
	}
	return keys.ParseType(s)
}

// holderMethod returns the DID URL of the verification method of holder
// that presentations name as their key: DID#keyID when keyID is given, the
// computed one for a did:key, or else the authentication method of the
// resolved document whose key is pk.
func holderMethod(ctx context.Context, g *globals, holder, keyID string, pk keys.PublicKey) (string, error) {
	if keyID != "" {
		return holder + "#" + strings.TrimPrefix(keyID, "#"), nil
	}
	if strings.HasPrefix(holder, "did:key:") {
		if did.KeyDID(pk) != holder {
			return "", fmt.Errorf("--key does not hold the key of %s", holder)
		}
		return holder + "#" + pk.Multibase(), nil
	}
	res, err := g.client().Resolve(ctx, holder, did.Options{})
	if err != nil {
		return "", fmt.Errorf("resolve %s to find the key (or give --key-id): %w", holder, err)
	}
	if res.Document == nil {
		return "", fmt.Errorf("%s resolved to no document", holder)
	}
	auth := map[string]bool{}
	for _, a := range res.Document.Authentication {
		auth[a] = true
	}
	mb := pk.Multibase()
	for _, m := range res.Document.VerificationMethod {
		if auth[m.ID] && m.PublicKeyMultibase == mb {
			return m.ID, nil
		}
	}
	return "", fmt.Errorf("the key of --key is not an authentication method of %s", holder)
}

func walletAddCmd(g *globals, dir *string) *cobra.Command {
	var verify, requireAcc bool
	cmd := &cobra.Command{
		Use:   "add FILE|-",
		Short: "Store a received credential in the wallet",
		Long: `Store a credential (from a file, or - for standard input) in the wallet: a
compact vc+jwt or SD-JWT (dc+sd-jwt), an EnvelopedVerifiableCredential JSON
object of one (kept as its compact token), or a credential object with a Data
Integrity proof. The wallet reads its id, types, issuer, subject and validity
period to index it, without verifying it, and prints the id it is stored
under. A credential already in the wallet is refused.

With --verify it first verifies the credential through --node (POST
/credentials/verify) and stores it only if it verifies.`,
		Example: `  weid wallet add diploma.jwt
  weid vc issue diploma.json --token "$UNI_TOKEN" | weid wallet add - --verify --node http://127.0.0.1:8080`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if requireAcc && !verify {
				return errors.New("--require-accreditation needs --verify")
			}
			w, err := openWallet(walletDir(*dir))
			if err != nil {
				return err
			}
			raw, err := readInput(args[0])
			if err != nil {
				return err
			}
			sc, err := readCredential(raw)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if _, err := os.Stat(w.credPath(sc.ID)); err == nil {
				return fmt.Errorf("the credential is already in the wallet as %s", sc.ID)
			}
			if verify {
				res, err := g.client().VerifyCredential(cmd.Context(), sc.Credential, map[string]any{"requireAccreditation": requireAcc})
				if err != nil {
					return fmt.Errorf("verify through %s: %w", g.node, err)
				}
				if !res.Verified {
					var failed []string
					for _, c := range res.Errors {
						failed = append(failed, c.Name+" ("+c.Detail+")")
					}
					return fmt.Errorf("not stored: the credential does not verify: %s failed", strings.Join(failed, ", "))
				}
			}
			sc.Added = time.Now().UTC().Format(time.RFC3339)
			b, err := json.MarshalIndent(sc, "", "  ")
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Join(w.dir, walletCredDir), 0o700); err != nil {
				return err
			}
			if err := writeFileExcl(w.credPath(sc.ID), append(b, '\n'), 0o600); err != nil {
				if errors.Is(err, fs.ErrExist) {
					return fmt.Errorf("the credential is already in the wallet as %s", sc.ID)
				}
				return err
			}
			return g.print(sc, func(out io.Writer) {
				fmt.Fprintf(out, "%s\n", sc.ID)
			})
		},
	}
	cmd.Flags().BoolVar(&verify, "verify", false, "verify the credential through --node first; refuse it unless it verifies")
	cmd.Flags().BoolVar(&requireAcc, "require-accreditation", false, "with --verify: also require an accredited authority issuer")
	return cmd
}

// walletEntry is a row of "weid wallet list -o json".
type walletEntry struct {
	ID           string            `json:"id"`
	Format       credential.Format `json:"format"`
	CredentialID string            `json:"credentialId,omitempty"`
	Types        []string          `json:"types"`
	Issuer       string            `json:"issuer"`
	Subject      string            `json:"subject,omitempty"`
	ValidFrom    string            `json:"validFrom,omitempty"`
	ValidUntil   string            `json:"validUntil,omitempty"`
	Added        string            `json:"added"`
}

func walletListCmd(g *globals, dir *string) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the wallet's credentials",
		Long: `List the credentials stored in the wallet, oldest first: their wallet id,
format, type (the most specific one), issuer and the end of their validity
period ("-" when open-ended). With -o json, every indexed field.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := openWallet(walletDir(*dir))
			if err != nil {
				return err
			}
			all, err := w.credentials()
			if err != nil {
				return err
			}
			entries := make([]walletEntry, 0, len(all))
			for _, sc := range all {
				entries = append(entries, walletEntry{sc.ID, sc.Format, sc.CredentialID, sc.Types, sc.Issuer, sc.Subject, sc.ValidFrom, sc.ValidUntil, sc.Added})
			}
			return g.print(map[string]any{"holder": w.meta.DID, "credentials": entries}, func(out io.Writer) {
				tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tFORMAT\tTYPE\tISSUER\tVALID UNTIL")
				for _, e := range entries {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.ID, e.Format, mainType(e.Types), orDash(e.Issuer), orDash(e.ValidUntil))
				}
				tw.Flush()
			})
		},
	}
}

// mainType is the most specific of types: the last one that is not
// VerifiableCredential.
func mainType(types []string) string {
	for i := len(types) - 1; i >= 0; i-- {
		if types[i] != "VerifiableCredential" {
			return types[i]
		}
	}
	if len(types) > 0 {
		return types[0]
	}
	return "-"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func walletShowCmd(g *globals, dir *string) *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show a stored credential and its decoded claims",
		Long: `Show a credential of the wallet (ID as "weid wallet list" prints it, or a
unique prefix of it): what the wallet indexed, the decoded claims (the
credential object, the vc+jwt payload, or the SD-JWT issuer payload and each
disclosure) and the credential as stored. Nothing is verified.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := openWallet(walletDir(*dir))
			if err != nil {
				return err
			}
			sc, err := w.find(args[0])
			if err != nil {
				return err
			}
			claims, disclosures, err := sc.claims()
			if err != nil {
				return err
			}
			res := map[string]any{
				"id": sc.ID, "format": sc.Format, "credentialId": sc.CredentialID, "types": sc.Types, "issuer": sc.Issuer,
				"subject": sc.Subject, "validFrom": sc.ValidFrom, "validUntil": sc.ValidUntil, "added": sc.Added,
				"claims": claims, "credential": sc.Credential,
			}
			if sc.Format == credential.FormatSDJWT {
				if disclosures == nil {
					disclosures = []map[string]any{}
				}
				res["disclosures"] = disclosures
			}
			return g.print(res, func(out io.Writer) {
				for _, kv := range [][2]string{
					{"id", sc.ID}, {"format", string(sc.Format)}, {"credential id", sc.CredentialID},
					{"type", strings.Join(sc.Types, ", ")}, {"issuer", sc.Issuer}, {"subject", sc.Subject},
					{"valid from", sc.ValidFrom}, {"valid until", sc.ValidUntil}, {"added", sc.Added},
				} {
					fmt.Fprintf(out, "%-14s %s\n", kv[0], orDash(kv[1]))
				}
				fmt.Fprintln(out, "claims:")
				writeIndented(out, claims)
				if sc.Format == credential.FormatSDJWT {
					fmt.Fprintf(out, "disclosures (%d):\n", len(disclosures))
					for _, d := range disclosures {
						v, _ := json.Marshal(d["value"])
						name, _ := d["name"].(string)
						if name == "" {
							name = "(array element)"
						}
						fmt.Fprintf(out, "  %s: %s\n", name, v)
					}
				}
				fmt.Fprintln(out, "credential:")
				var s string
				if json.Unmarshal(sc.Credential, &s) == nil {
					fmt.Fprintf(out, "  %s\n", s)
				} else {
					writeIndented(out, sc.Credential)
				}
			})
		},
	}
}

// writeIndented writes v as indented JSON, each line indented by two
// spaces.
func writeIndented(w io.Writer, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("  ", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(w, "  (%v)\n", err)
		return
	}
	fmt.Fprint(w, "  "+buf.String())
}
