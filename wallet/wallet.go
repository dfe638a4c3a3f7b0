// Package wallet is a holder's wallet: the holder's DID and its key, the
// credentials the holder received, and what a wallet does with them —
// receive credentials over OpenID for Verifiable Credential Issuance 1.0
// (the pre-authorized code flow, §3.5; VCIClient, Wallet.Receive, which
// verifies every credential before it keeps any), answer
// presentation requests over OpenID for Verifiable Presentations 1.0
// (VPClient, Select, the DCQL of §6 and the response of §8), and make
// presentations for a verifier's challenge (Wallet.Presentation: a vp+jwt
// of VC-JOSE-COSE, or an SD-JWT with a key-binding JWT, RFC 9901). The key
// never leaves the wallet: presentations and key proofs are signed here.
//
// A wallet is a directory:
//
//	<dir>/                  0700
//	  wallet.json           the holder DID, its verification method, key type and public key (Meta)
//	  holder.key            the holder key, an encrypted key file (keys.EncryptKeyFile), 0600
//	  credentials/          0700
//	    <id>.json           one stored credential each, 0600 (Stored)
//	  received/             an issuer's answer while it is verified, or that could not be (ReceivedDir)
//	  wallet.lock           locked by a writer of credentials (Wallet.Add), 0600
//
// Each file is written whole or not at all (internal/durable). A crash can
// leave a hidden temporary file (.<name>.tmp-…) beside the file it was
// writing: Create removes those of holder.key and wallet.json, and a
// directory holding only them and an empty credentials/ is no obstacle to
// it; those beside credentials stay (another command may be adding a
// credential at that moment; the lock is taken only by writers) and are
// never read.
//
// The CLI's `weid wallet` and `weid vp create` are this package with flags;
// a Go wallet application can use it the same way.
package wallet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/internal/durable"
	"github.com/weidgo/weid/keys"
)

// Names inside a wallet directory.
const (
	MetaFile      = "wallet.json"
	KeyFile       = "holder.key"
	CredentialDir = "credentials"
	// LockFile is locked (flock) by whoever writes credentials, from the
	// check of what the wallet holds to the write.
	LockFile = "wallet.lock"
)

// ErrNoWallet reports a directory that holds no wallet.
var ErrNoWallet = errors.New("no wallet")

// Meta is wallet.json.
type Meta struct {
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

// Wallet is an opened wallet directory.
type Wallet struct {
	Dir  string
	Meta Meta
	// Passphrase returns the passphrase of the holder key when an
	// operation needs the key (a prompt, say); nil means it cannot be
	// unlocked.
	Passphrase func() ([]byte, error)
}

// Holder is the wallet's identity as the protocols name it: its DID, the
// verification method that signs (an authentication method of the DID)
// and its key. A key proof of OpenID4VCI names the key by KID or, when KID
// is "", carries its public JWK.
type Holder struct {
	DID, KID string
	Key      *keys.PrivateKey
}

// Open reads the wallet in dir.
func Open(dir string) (*Wallet, error) {
	b, err := os.ReadFile(filepath.Join(dir, MetaFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w in %s", ErrNoWallet, dir)
	}
	if err != nil {
		return nil, err
	}
	w := &Wallet{Dir: dir}
	if err := json.Unmarshal(b, &w.Meta); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, MetaFile), err)
	}
	if w.Meta.Version != 1 || w.Meta.DID == "" || w.Meta.VerificationMethod == "" {
		return nil, fmt.Errorf("%s: not a weid wallet (version 1 with a DID and a verification method)", filepath.Join(dir, MetaFile))
	}
	return w, nil
}

// CheckNew checks that a wallet can be made in dir: it holds no wallet and
// is empty, or does not exist. What a Create that crashed leaves (see
// leftOfCreate) counts as empty: Create sweeps it.
func CheckNew(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, MetaFile)); err == nil {
		return &ExistsError{Dir: dir, Wallet: true}
	}
	if ents, err := os.ReadDir(dir); err == nil && slices.ContainsFunc(ents, func(e fs.DirEntry) bool { return !leftOfCreate(dir, e) }) {
		return &ExistsError{Dir: dir}
	}
	return nil
}

// ExistsError reports a directory where CheckNew will not create a
// wallet: it holds one (Wallet), or other files.
type ExistsError struct {
	Dir    string
	Wallet bool
}

func (e *ExistsError) Error() string {
	if e.Wallet {
		return fmt.Sprintf("a wallet already exists in %s; it is not overwritten", e.Dir)
	}
	return fmt.Sprintf("%s exists and is not empty", e.Dir)
}

// leftOfCreate reports whether e, an entry of the directory dir that holds
// no wallet.json, is what a Create interrupted by a crash leaves there and
// a new Create takes over: an empty credentials directory, or a temporary
// file of the key file or of wallet.json (durable.IsTemp). A complete key
// file is not: it may be the only copy of a key.
func leftOfCreate(dir string, e fs.DirEntry) bool {
	if e.Name() == CredentialDir && e.IsDir() {
		ents, err := os.ReadDir(filepath.Join(dir, CredentialDir))
		return err == nil && len(ents) == 0
	}
	return durable.IsTemp(e.Name(), KeyFile) || durable.IsTemp(e.Name(), MetaFile)
}

// CreateDIDKey makes a wallet in dir with a new key of type t, sealed with
// pass, whose did:key DID is the holder: a wallet that needs no ledger.
func CreateDIDKey(dir string, t keys.Type, pass []byte) (*Wallet, error) {
	k, err := keys.Generate(t)
	if err != nil {
		return nil, err
	}
	d := did.KeyDID(k.Public())
	if d == "" {
		return nil, fmt.Errorf("no did:key for a %s key", t)
	}
	file, err := keys.EncryptKeyFile(k, d, pass)
	if err != nil {
		return nil, err
	}
	return Create(dir, d, d+"#"+k.Public().Multibase(), k.Public(), file)
}

// Create makes a wallet in dir (mode 0700; dir must not exist or be
// empty, CheckNew) whose holder is the DID holder, signing as its
// verification method vm with key pk, sealed in keyFile (an encrypted key
// file, kept as it is). The temporary files a crashed Create left are
// removed first: until wallet.json exists no other command uses the
// directory, so nothing else is writing them (of two Creates in one
// directory at once, one fails whatever they do).
func Create(dir, holder, vm string, pk keys.PublicKey, keyFile []byte) (*Wallet, error) {
	if err := CheckNew(dir); err != nil {
		return nil, err
	}
	w := &Wallet{Dir: dir, Meta: Meta{Version: 1, DID: holder, VerificationMethod: vm, KeyType: pk.Type, PublicKeyMultibase: pk.Multibase(),
		Created: time.Now().UTC().Truncate(time.Second)}}
	meta, err := json.MarshalIndent(w.Meta, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := durable.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, err
	}
	if err := errors.Join(durable.RemoveTemps(filepath.Join(dir, KeyFile)), durable.RemoveTemps(filepath.Join(dir, MetaFile))); err != nil {
		return nil, err
	}
	if err := durable.MkdirAll(filepath.Join(dir, CredentialDir), 0o700); err != nil {
		return nil, err
	}
	if err := durable.WriteNew(filepath.Join(dir, KeyFile), keyFile, 0o600); err != nil {
		return nil, err
	}
	// wallet.json last: a wallet exists once it is written.
	if err := durable.WriteNew(filepath.Join(dir, MetaFile), append(meta, '\n'), 0o600); err != nil {
		return nil, err
	}
	return w, nil
}

// HolderMethod returns the DID URL of the verification method of holder
// that a wallet holding key pk signs as: holder#keyID when keyID is given,
// the computed one of a did:key, or else the authentication method of
// holder's document (resolved by r) whose key is pk.
func HolderMethod(ctx context.Context, r DIDResolver, holder, keyID string, pk keys.PublicKey) (string, error) {
	if keyID != "" {
		return holder + "#" + strings.TrimPrefix(keyID, "#"), nil
	}
	if strings.HasPrefix(holder, "did:key:") {
		if did.KeyDID(pk) != holder {
			return "", fmt.Errorf("the key file does not hold the key of %s", holder)
		}
		return holder + "#" + pk.Multibase(), nil
	}
	res, err := r.Resolve(ctx, holder, did.Options{})
	if err != nil {
		return "", fmt.Errorf("resolve %s to find the key's verification method: %w", holder, err)
	}
	if res.Document == nil {
		return "", fmt.Errorf("%s resolved to no document", holder)
	}
	mb := pk.Multibase()
	for _, m := range res.Document.VerificationMethod {
		if m.PublicKeyMultibase == mb && res.Document.HasRelationship("authentication", m.ID) {
			return m.ID, nil
		}
	}
	return "", fmt.Errorf("the key is not an authentication method of %s", holder)
}

// Key decrypts the holder key (with w.Passphrase) and checks that it is
// the wallet's.
func (w *Wallet) Key() (*keys.PrivateKey, error) {
	path := filepath.Join(w.Dir, KeyFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if w.Passphrase == nil {
		return nil, errors.New("no passphrase to unlock the wallet's key")
	}
	pass, err := w.Passphrase()
	if err != nil {
		return nil, err
	}
	k, _, err := keys.DecryptKeyFile(b, pass)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if k.Public().Multibase() != w.Meta.PublicKeyMultibase {
		return nil, fmt.Errorf("%s does not hold the key named in %s", path, MetaFile)
	}
	return k, nil
}

// Holder returns the wallet's identity with its key unlocked.
func (w *Wallet) Holder() (Holder, error) {
	k, err := w.Key()
	if err != nil {
		return Holder{}, err
	}
	return Holder{DID: w.Meta.DID, KID: w.Meta.VerificationMethod, Key: k}, nil
}
