// Package keystore keeps a node's secrets: the private keys it holds for its
// admin and for custodial accounts, sealed with AES-256-GCM under a key
// encryption key — or, with a hardware module in use (UseToken), held in
// its token, the keystore recording only which object — and API tokens,
// stored only as SHA-256 hashes. Secrets the node must use in the clear
// again (webhook signing secrets) are sealed like keys (SealSecret).
//
// The key encryption key is derived with scrypt from WEID_KEYSTORE_PASSPHRASE
// when the node is given one (recommended in production: keep it in a secret
// manager), or else is a random key in <data>/keystore/kek, mode 0600, so a
// copy of the database alone does not reveal the keys.
package keystore

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/syndtr/goleveldb/leveldb/util"
	"golang.org/x/crypto/scrypt"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/internal/durable"
	"github.com/weidgo/weid/keys"
)

// Store is a node's keystore.
type Store struct {
	db   *leveldb.DB
	aead cipher.AEAD
	mu   sync.Mutex // serializes check-then-write operations

	token     Token    // a hardware module keeping keys (UseToken), or nil
	tokenKeys sync.Map // token object URI → *keys.PrivateKey found in the token
}

// ErrNotFound is returned for an unknown key or token.
var ErrNotFound = errors.New("not found in keystore")

type meta struct {
	KDF  string `json:"kdf"` // "scrypt" or "file"
	Salt string `json:"salt,omitempty"`
}

// Open opens the keystore in dir, creating it if needed.
func Open(dir string, passphrase []byte) (*Store, error) {
	// The kek is written durably into dir: dir must last as well.
	if err := durable.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	db, err := leveldb.OpenFile(filepath.Join(dir, "db"), nil)
	if err != nil {
		return nil, fmt.Errorf("open keystore: %w", err)
	}
	s := &Store{db: db}
	if err := s.unlock(dir, passphrase); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) unlock(dir string, passphrase []byte) error {
	var m meta
	raw, err := s.db.Get([]byte("meta"), nil)
	switch {
	case errors.Is(err, leveldb.ErrNotFound):
		m.KDF = "file"
		if len(passphrase) > 0 {
			salt := make([]byte, 16)
			rand.Read(salt)
			m = meta{KDF: "scrypt", Salt: base64.RawURLEncoding.EncodeToString(salt)}
		}
		b, _ := json.Marshal(m)
		if err := s.db.Put([]byte("meta"), b, &opt.WriteOptions{Sync: true}); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &m); err != nil {
			return fmt.Errorf("keystore meta: %w", err)
		}
	}
	var kek []byte
	switch m.KDF {
	case "scrypt":
		if len(passphrase) == 0 {
			return errors.New("this keystore is sealed with a passphrase: set WEID_KEYSTORE_PASSPHRASE")
		}
		salt, _ := base64.RawURLEncoding.DecodeString(m.Salt)
		if kek, err = scrypt.Key(passphrase, salt, 1<<15, 8, 1, 32); err != nil {
			return err
		}
	default:
		path := filepath.Join(dir, "kek")
		// A crash while writing the kek may have left a copy of it
		// beside it; the database's lock (held) keeps other writers out.
		if err := durable.RemoveTemps(path); err != nil {
			return err
		}
		kek, err = os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			kek = make([]byte, 32)
			rand.Read(kek)
			// Whole or not at all: a crash leaves no short kek that
			// would stop every later start.
			if err := durable.WriteNew(path, kek, 0o600); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		if len(kek) != 32 {
			return fmt.Errorf("keystore: %s is not a 32-byte key", path)
		}
	}
	block, _ := aes.NewCipher(kek)
	s.aead, _ = cipher.NewGCM(block)
	// A check value proves the key encryption key is the right one.
	check, err := s.db.Get([]byte("check"), nil)
	if errors.Is(err, leveldb.ErrNotFound) {
		return s.put([]byte("check"), s.seal([]byte("weid"), "check"))
	}
	if err != nil {
		return err
	}
	if _, err := s.open(check, "check"); err != nil {
		return errors.New("keystore: wrong passphrase or key encryption key")
	}
	return nil
}

// Close closes the keystore.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) put(k, v []byte) error { return s.db.Put(k, v, &opt.WriteOptions{Sync: true}) }

func (s *Store) seal(plain []byte, ad string) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	return s.aead.Seal(nonce, nonce, plain, []byte(ad))
}

func (s *Store) open(ct []byte, ad string) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(ct) < n {
		return nil, errors.New("short ciphertext")
	}
	return s.aead.Open(nil, ct[:n], ct[n:], []byte(ad))
}

// SealSecret seals a secret the node must use again in the clear (a
// webhook subscription's signing secret, which cannot be kept as a hash)
// under the key encryption key, bound to name: it opens only as name.
func (s *Store) SealSecret(name string, plain []byte) []byte {
	return s.seal(plain, "secret/"+name)
}

// OpenSecret opens a secret SealSecret sealed as name.
func (s *Store) OpenSecret(name string, sealed []byte) ([]byte, error) {
	b, err := s.open(sealed, "secret/"+name)
	if err != nil {
		return nil, fmt.Errorf("keystore: secret %s does not open: %w", name, err)
	}
	return b, nil
}

// keyRecord is a key the keystore keeps: sealed, or held in a token (the
// object's URI and the public key, nothing secret).
type keyRecord struct {
	Type   keys.Type `json:"type"`
	Owner  string    `json:"owner"`
	Sealed []byte    `json:"sealed,omitempty"`
	Token  string    `json:"token,omitempty"`
	Public string    `json:"publicKeyMultibase,omitempty"`
}

// PutKey stores the private key of verification method id, owned by
// account owner: sealed, or, for a key a token holds (GenerateKey,
// ImportKey), as a reference to the token's object.
func (s *Store) PutKey(id, owner string, k *keys.PrivateKey) error {
	rec := keyRecord{Type: k.Type(), Owner: owner}
	if uri, ok := tokenURI(k); ok {
		rec.Token, rec.Public = uri, k.Public().Multibase()
	} else {
		seed, err := k.ExportSeed()
		if err != nil {
			return fmt.Errorf("keystore: key %s: %w", id, err)
		}
		rec.Sealed = s.seal(seed, "key/"+id)
	}
	b, _ := json.Marshal(rec)
	return s.put([]byte("key/"+id), b)
}

// absent is ErrExists if key is in the store. s.mu is held, so that
// nothing writes key between this check and the write it guards.
func (s *Store) absent(key []byte) error {
	ok, err := s.db.Has(key, nil)
	if err != nil {
		return err
	}
	if ok {
		return ErrExists
	}
	return nil
}

// PutNewKey is PutKey that refuses (ErrExists) to replace a key.
func (s *Store) PutNewKey(id, owner string, k *keys.PrivateKey) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.absent([]byte("key/" + id)); err != nil {
		return err
	}
	return s.PutKey(id, owner, k)
}

// Key returns the private key of verification method id and its owner.
func (s *Store) Key(id string) (*keys.PrivateKey, string, error) {
	var rec keyRecord
	if err := s.getJSON([]byte("key/"+id), &rec); err != nil {
		return nil, "", err
	}
	if rec.Token != "" {
		k, err := s.tokenKey(id, rec)
		return k, rec.Owner, err
	}
	seed, err := s.open(rec.Sealed, "key/"+id)
	if err != nil {
		return nil, "", fmt.Errorf("keystore: key %s does not open: %w", id, err)
	}
	k, err := keys.PrivateKeyFromSeed(rec.Type, seed)
	return k, rec.Owner, err
}

// DeleteKey forgets a key; a key held in a token is deleted from the
// token too (unless another record uses the same object).
func (s *Store) DeleteKey(id string) error {
	if b, err := s.db.Get([]byte("key/"+id), nil); err == nil {
		var rec keyRecord
		if json.Unmarshal(b, &rec) == nil && rec.Token != "" {
			if err := s.destroyTokenKey(id, rec); err != nil {
				return err
			}
		}
	}
	return s.db.Delete([]byte("key/"+id), &opt.WriteOptions{Sync: true})
}

// KeyLocation says where the key of verification method id is kept: the
// RFC 7512 URI of its token object, or "" for a key sealed in the keystore.
func (s *Store) KeyLocation(id string) (string, error) {
	var rec keyRecord
	err := s.getJSON([]byte("key/"+id), &rec)
	return rec.Token, err
}

// Account is api.Account.
type Account = api.Account

// NewToken creates an API token for account a and stores its hash.
func (s *Store) NewToken(a Account) (string, error) {
	b := new(leveldb.Batch)
	tok, err := newToken(a, b)
	if err != nil {
		return "", err
	}
	return tok, s.db.Write(b, &opt.WriteOptions{Sync: true})
}

// newToken makes an API token for account a and puts its hash into b.
func newToken(a Account, b *leveldb.Batch) (string, error) {
	tok, err := RandomToken()
	if err != nil {
		return "", err
	}
	putToken(a, tok, b)
	return tok, nil
}

// RandomToken makes a new API token without storing it: for a caller that
// must keep the token somewhere else first (the admin token's side file)
// and then stores it with ReplaceTokensWith.
func RandomToken() (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	return "weid_" + base64.RawURLEncoding.EncodeToString(raw), nil
}

// putToken puts the hash of tok, a token of account a, into b.
func putToken(a Account, tok string, b *leveldb.Batch) {
	a.Created = time.Now().UTC().Format(time.RFC3339)
	v, _ := json.Marshal(a)
	b.Put(tokenKey(tok), v)
}

// Authenticate returns the account a token belongs to.
func (s *Store) Authenticate(tok string) (*Account, error) {
	var a Account
	if err := s.getJSON(tokenKey(tok), &a); err != nil {
		return nil, err
	}
	return &a, nil
}

func tokenKey(tok string) []byte {
	sum := sha256.Sum256([]byte(tok))
	return []byte("token/" + hex.EncodeToString(sum[:]))
}

// WriteSecretFile creates path holding data with mode 0600, durably and
// whole or not at all; an existing file is left alone (fs.ErrExist). It
// first removes the temporary files (copies of a secret) that a crash while
// writing path left beside it: call it with the keystore of path's node
// open (as for the admin token of its home), whose lock keeps every other
// writer of path out.
func WriteSecretFile(path string, data []byte) error {
	if err := durable.RemoveTemps(path); err != nil {
		return err
	}
	return durable.WriteNew(path, data, 0o600)
}

// SetSigner records which verification method the node signs with for did.
func (s *Store) SetSigner(did, vm string) error { return s.put([]byte("signer/"+did), []byte(vm)) }

// SetPendingSigner records the key a rotation of did is about to install.
func (s *Store) SetPendingSigner(did, vm string) error {
	return s.put([]byte("pending/"+did), []byte(vm))
}

// PendingSigner returns the key the last rotation of did installed or tried to.
func (s *Store) PendingSigner(did string) (string, error) {
	b, err := s.db.Get([]byte("pending/"+did), nil)
	if errors.Is(err, leveldb.ErrNotFound) {
		return "", ErrNotFound
	}
	return string(b), err
}

// Signer returns the verification method the node signs with for did.
func (s *Store) Signer(did string) (string, error) {
	b, err := s.db.Get([]byte("signer/"+did), nil)
	if errors.Is(err, leveldb.ErrNotFound) {
		return "", ErrNotFound
	}
	return string(b), err
}

// SignerDIDs returns, in order, the DIDs the node signs for whose current
// key is owned by account owner.
func (s *Store) SignerDIDs(owner string) ([]string, error) {
	var out []string
	err := s.eachSigner(func(o, d string) {
		if o == owner {
			out = append(out, d)
		}
	})
	return out, err
}

// SignerDIDsByOwner is SignerDIDs of every owner, in one pass: the DIDs
// the node signs as, by the account that owns their keys.
func (s *Store) SignerDIDsByOwner() (map[string][]string, error) {
	out := map[string][]string{}
	err := s.eachSigner(func(o, d string) { out[o] = append(out[o], d) })
	return out, err
}

// eachSigner calls f with the owner of each DID's signing key and the DID,
// in DID order.
func (s *Store) eachSigner(f func(owner, did string)) error {
	it := s.db.NewIterator(util.BytesPrefix([]byte("signer/")), nil)
	defer it.Release()
	for it.Next() {
		b, err := s.db.Get(append([]byte("key/"), it.Value()...), nil)
		if errors.Is(err, leveldb.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		var rec keyRecord
		if json.Unmarshal(b, &rec) == nil {
			f(rec.Owner, string(it.Key()[len("signer/"):]))
		}
	}
	return it.Error()
}

// getJSON decodes the value under key into v; ErrNotFound if absent.
func (s *Store) getJSON(key []byte, v any) error {
	b, err := s.db.Get(key, nil)
	if errors.Is(err, leveldb.ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// DeleteRecord removes the record under key, if any.
func (s *Store) DeleteRecord(key string) error {
	return s.db.Delete([]byte("record/"+key), &opt.WriteOptions{Sync: false})
}

// ErrExists is returned when creating an account whose name is taken.
var ErrExists = errors.New("already exists")

// CreateAccount registers a new account name and returns its first token.
// Names are unique; "admin" is the node's own.
func (s *Store) CreateAccount(name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := []byte("account/" + name)
	if err := s.absent(key); err != nil {
		return "", err
	}
	a := Account{Name: name, Created: time.Now().UTC().Format(time.RFC3339)}
	b, _ := json.Marshal(a)
	if err := s.put(key, b); err != nil {
		return "", err
	}
	return s.NewToken(a)
}

// Accounts lists the accounts created with CreateAccount, by name.
func (s *Store) Accounts() ([]Account, error) {
	it := s.db.NewIterator(util.BytesPrefix([]byte("account/")), nil)
	defer it.Release()
	var out []Account
	for it.Next() {
		var a Account
		if err := json.Unmarshal(it.Value(), &a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, it.Error()
}

// DeleteAccount removes an account and its token (undoing a creation that
// failed half-way).
func (s *Store) DeleteAccount(name, tok string) error {
	b := new(leveldb.Batch)
	b.Delete([]byte("account/" + name))
	b.Delete(tokenKey(tok))
	return s.db.Write(b, &opt.WriteOptions{Sync: true})
}

// RevokeTokens deletes every token of account name.
func (s *Store) RevokeTokens(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := new(leveldb.Batch)
	if err := s.tokensOf(name, b.Delete); err != nil {
		return err
	}
	return s.db.Write(b, &opt.WriteOptions{Sync: true})
}

// ReplaceTokens gives the institution account name a new token and revokes
// every other it had, in one write: a leaked token stops working when the
// new one starts to. ErrNotFound if there is no such account.
func (s *Store) ReplaceTokens(name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var a Account
	if err := s.getJSON([]byte("account/"+name), &a); err != nil {
		return "", err
	}
	tok, err := RandomToken()
	if err != nil {
		return "", err
	}
	return tok, s.replaceTokens(a, tok)
}

// ReplaceTokensWith makes tok (from RandomToken) the only token of account
// a, whose Name need not be an institution account's (the node's admin),
// revoking every other token of a.Name in the same synced write.
func (s *Store) ReplaceTokensWith(a Account, tok string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.replaceTokens(a, tok)
}

// replaceTokens is ReplaceTokensWith with s.mu held.
func (s *Store) replaceTokens(a Account, tok string) error {
	b := new(leveldb.Batch)
	if err := s.tokensOf(a.Name, b.Delete); err != nil {
		return err
	}
	putToken(a, tok, b)
	return s.db.Write(b, &opt.WriteOptions{Sync: true})
}

// tokensOf calls f with the key of each token of account name.
func (s *Store) tokensOf(name string, f func(key []byte)) error {
	it := s.db.NewIterator(util.BytesPrefix([]byte("token/")), nil)
	defer it.Release()
	for it.Next() {
		var a Account
		if json.Unmarshal(it.Value(), &a) == nil && a.Name == name {
			f(append([]byte(nil), it.Key()...))
		}
	}
	return it.Error()
}

// Records: small JSON documents a node keeps for itself — issuer instance
// configurations, the status list entries of the credentials it issued,
// status index allocations — under namespaced keys. They are a node's
// working data, not ledger state.

// PutRecord stores v as JSON under key; sync makes the write durable
// (fsync) before it returns.
func (s *Store) PutRecord(key string, v any, sync bool) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("keystore: encode %s: %w", key, err)
	}
	return s.db.Put([]byte("record/"+key), b, &opt.WriteOptions{Sync: sync})
}

// CreateRecord stores v under key durably unless key exists (ErrExists).
func (s *Store) CreateRecord(key string, v any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.absent([]byte("record/" + key)); err != nil {
		return err
	}
	return s.PutRecord(key, v, true)
}

// GetRecord decodes the record under key into v; ErrNotFound if absent.
func (s *Store) GetRecord(key string, v any) error {
	return s.getJSON([]byte("record/"+key), v)
}

// Records calls fn with the key (without prefix) and JSON of each record
// whose key starts with prefix, in key order, until fn returns an error.
func (s *Store) Records(prefix string, fn func(key string, raw []byte) error) error {
	p := []byte("record/" + prefix)
	it := s.db.NewIterator(util.BytesPrefix(p), nil)
	defer it.Release()
	for it.Next() {
		if err := fn(string(it.Key()[len(p):]), it.Value()); err != nil {
			return err
		}
	}
	return it.Error()
}

// Namespace is a byte-keyed view of the keystore under a prefix, for
// components that keep their own small state (such as a status list index
// allocator).
type Namespace struct {
	s      *Store
	prefix string
}

// Namespace returns the view of keys under prefix.
func (s *Store) Namespace(prefix string) Namespace { return Namespace{s: s, prefix: "ns/" + prefix} }

// Get returns the value under key, or nil, nil if absent.
func (n Namespace) Get(key []byte) ([]byte, error) {
	b, err := n.s.db.Get(append([]byte(n.prefix), key...), nil)
	if errors.Is(err, leveldb.ErrNotFound) {
		return nil, nil
	}
	return b, err
}

// PutSync stores value under key durably.
func (n Namespace) PutSync(key, value []byte) error {
	return n.s.db.Put(append([]byte(n.prefix), key...), value, &opt.WriteOptions{Sync: true})
}
