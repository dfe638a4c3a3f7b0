package keystore

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/syndtr/goleveldb/leveldb/util"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
)

// Token is a hardware module that keeps private keys for the keystore
// (hsm.Module, PKCS#11): with one in use, new keys are generated inside it
// and imported keys are put into it, and the keystore records only which
// token object holds each key (its RFC 7512 URI) and its public key.
type Token interface {
	// Generate makes a key pair of type t in the token.
	Generate(t keys.Type, label string) (*keys.PrivateKey, error)
	// Import puts an in-memory key into the token.
	Import(k *keys.PrivateKey, label string) (*keys.PrivateKey, error)
	// Key finds the key ref names again; want is the public key recorded.
	Key(ref string, want keys.PublicKey) (*keys.PrivateKey, error)
	// Destroy deletes the key ref names from the token.
	Destroy(ref string) error
}

// uriSigner is what a Token's keys sign with: it names its token object.
type uriSigner interface{ URI() string }

// UseToken makes t hold every key the keystore generates or imports from
// now on, and lets it find the keys recorded as held in a token. Keys
// sealed before stay sealed in the keystore and usable.
func (s *Store) UseToken(t Token) { s.token = t }

// HasToken reports whether a hardware module keeps the new keys.
func (s *Store) HasToken() bool { return s.token != nil }

// GenerateKey makes a new key of type t: inside the token if one is in use
// (label names the token object, for its operators), else in memory, to be
// sealed by PutKey.
func (s *Store) GenerateKey(t keys.Type, label string) (*keys.PrivateKey, error) {
	if s.token != nil {
		return s.token.Generate(t, label)
	}
	return keys.Generate(t)
}

// ImportKey returns k as the keystore will keep it: put into the token if
// one is in use (the caller should drop k), else k itself.
func (s *Store) ImportKey(k *keys.PrivateKey, label string) (*keys.PrivateKey, error) {
	if s.token != nil {
		return s.token.Import(k, label)
	}
	return k, nil
}

// tokenURI returns the token object behind k, if a token holds k.
func tokenURI(k *keys.PrivateKey) (string, bool) {
	if u, ok := k.External().(uriSigner); ok {
		return u.URI(), true
	}
	return "", false
}

// tokenKey finds a key recorded as held in a token.
func (s *Store) tokenKey(id string, rec keyRecord) (*keys.PrivateKey, error) {
	if c, ok := s.tokenKeys.Load(rec.Token); ok {
		return c.(*keys.PrivateKey), nil
	}
	if s.token == nil {
		return nil, errs.New(http.StatusServiceUnavailable, "keys.unavailable",
			"key %s is held in a PKCS#11 token (%s) and the node was started without one: start it with --pkcs11-module, --pkcs11-token and --pkcs11-pin-file (or --pkcs11)", id, rec.Token)
	}
	pub, err := keys.ParseMultibase(rec.Public)
	if err != nil {
		return nil, fmt.Errorf("keystore: key %s: %w", id, err)
	}
	k, err := s.token.Key(rec.Token, pub)
	if err != nil {
		if _, ok := errs.As(err); ok {
			return nil, err
		}
		return nil, errs.Wrap(http.StatusServiceUnavailable, "keys.unavailable", fmt.Errorf("key %s: %w", id, err))
	}
	s.tokenKeys.Store(rec.Token, k)
	return k, nil
}

// destroyTokenKey deletes the token object of a key record being deleted,
// unless another record uses it too (an imported key that is both an
// account's did:weid and its did:key).
func (s *Store) destroyTokenKey(id string, rec keyRecord) error {
	it := s.db.NewIterator(util.BytesPrefix([]byte("key/")), nil)
	defer it.Release()
	for it.Next() {
		var other keyRecord
		if string(it.Key()) != "key/"+id && json.Unmarshal(it.Value(), &other) == nil && other.Token == rec.Token {
			return nil
		}
	}
	if err := it.Error(); err != nil {
		return err
	}
	s.tokenKeys.Delete(rec.Token)
	if s.token == nil {
		return errors.New("keystore: no token to delete the key from")
	}
	return s.token.Destroy(rec.Token)
}
