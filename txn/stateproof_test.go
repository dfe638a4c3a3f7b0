package txn

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gowebpki/jcs"

	"github.com/weidgo/weid/keys"
)

// oneLeafProofs builds, from the documented format alone, the proofs of a
// state holding key → value and nothing else, at a header signed by k: the
// root is the leaf (a lone leaf sits at the top, no siblings).
func oneLeafProofs(t testing.TB, k *keys.PrivateKey, key, value string) *StateProofs {
	kh, vh := sha256.Sum256([]byte(key)), sha256.Sum256([]byte(value))
	root := LeafHash(sha256.Sum256, kh, vh)
	h := Header{ChainID: "test", Height: 7, Time: "2026-01-02T03:04:05.000000Z", PrevHash: strings.Repeat("0", 64), TxCount: 1, TxRoot: strings.Repeat("1", 64), AppHash: hex.EncodeToString(root[:]), Proposer: k.Public().Multibase()}
	raw, _ := json.Marshal(&h)
	c, _ := jcs.Transform(raw)
	sum := sha256.Sum256(c)
	sig, err := k.Sign(sum[:])
	if err != nil {
		t.Fatal(err)
	}
	b := base64.RawURLEncoding
	return &StateProofs{Header: h, BlockHash: hex.EncodeToString(sum[:]), Signature: b.EncodeToString(sig), Proofs: []*StateProof{
		{Hash: StateHashSHA256, Key: b.EncodeToString([]byte(key)), Value: b.EncodeToString([]byte(value)), Exists: true, Siblings: []string{}, Root: h.AppHash},
		{Hash: StateHashSHA256, Key: b.EncodeToString([]byte("other")), Siblings: []string{}, Other: &StateLeaf{KeyHash: b.EncodeToString(kh[:]), ValueHash: b.EncodeToString(vh[:])}, Root: h.AppHash},
	}}
}

func TestStateProofs_VerifyFromTheFormat(t *testing.T) {
	t.Parallel()
	k, _ := keys.Generate(keys.Ed25519)
	p := oneLeafProofs(t, k, "did/latest/x", "v")
	a := StateAnchor{NodeKey: k.Public().Multibase()}
	if _, err := p.Verify(a); err != nil {
		t.Fatal(err)
	}
	if v, err := p.Value([]byte("did/latest/x")); err != nil || string(v) != "v" {
		t.Fatalf("value %q, %v", v, err)
	}
	if v, err := p.Value([]byte("other")); err != nil || v != nil {
		t.Fatalf("absence: %q, %v", v, err)
	}
	for name, lie := range map[string]func(*StateProofs){
		"value":        func(p *StateProofs) { p.Proofs[0].Value = "dw" },
		"absence lie":  func(p *StateProofs) { p.Proofs[1].Key = p.Proofs[0].Key },
		"exists lie":   func(p *StateProofs) { p.Proofs[0].Exists = false; p.Proofs[0].Value = "" },
		"sibling":      func(p *StateProofs) { p.Proofs[0].Siblings = []string{""} },
		"hash":         func(p *StateProofs) { p.Proofs[0].Hash = StateHashSM3 },
		"bad sibling":  func(p *StateProofs) { p.Proofs[0].Siblings = []string{"AA"} },
		"deep":         func(p *StateProofs) { p.Proofs[0].Siblings = make([]string, 257) },
		"root":         func(p *StateProofs) { p.Proofs[0].Root = strings.Repeat("0", 64) },
		"unknown hash": func(p *StateProofs) { p.Proofs[0].Hash = "md5" },
	} {
		q := oneLeafProofs(t, k, "did/latest/x", "v")
		lie(q)
		_, err := q.Verify(a)
		if err == nil {
			_, err = q.Value([]byte("did/latest/x"))
			if err == nil {
				_, err = q.Value([]byte("other"))
			}
		}
		if !errors.Is(err, ErrStateProof) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// FuzzStateProofs decodes and verifies anything: it never panics, and what
// it accepts proves values consistent with its header.
func FuzzStateProofs(f *testing.F) {
	k, _ := keys.Generate(keys.Ed25519)
	seed, _ := json.Marshal(oneLeafProofs(f, k, "did/latest/x", "v"))
	f.Add(seed)
	f.Add([]byte(`{"proofs":[{"hash":"sm3","key":"eA","exists":false,"siblings":["",""],"root":"00"}]}`))
	f.Add([]byte(`{}`))
	a := StateAnchor{NodeKey: k.Public().Multibase()}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := DecodeStateProofs(b)
		if err != nil {
			return
		}
		if _, err := p.Verify(a); err != nil {
			return
		}
		for _, sp := range p.Proofs {
			key, err := sp.KeyBytes()
			if err != nil {
				continue
			}
			v, err := p.Value(key)
			if err == nil && (v != nil) != sp.Exists {
				t.Fatalf("proof of %q accepted with exists=%v and value %q", key, sp.Exists, v)
			}
		}
	})
}

// decodeHash32 accepts exactly what strict base64url decoding of 32 bytes
// accepts.
func TestDecodeHash32(t *testing.T) {
	t.Parallel()
	b := base64.RawURLEncoding
	for i := 0; i < 256; i++ {
		var want [32]byte
		for j := range want {
			want[j] = byte(i*31 + j*7)
		}
		s := b.EncodeToString(want[:])
		if got, ok := decodeHash32(s); !ok || got != want {
			t.Fatalf("%s: %x %v", s, got, ok)
		}
	}
	good := b.EncodeToString(make([]byte, 32))
	for _, s := range []string{"", good[:42], good + "A", good[:42] + "B", good[:10] + "+" + good[11:], good[:10] + "=" + good[11:], good[:42] + "/"} {
		_, ok := decodeHash32(s)
		_, err := b64.DecodeString(s)
		if ok || (err == nil && len(s) == 43) {
			t.Fatalf("%q: decodeHash32 %v, strict base64url %v", s, ok, err)
		}
	}
}

// A HeaderCache skips the header checks only for a header equal to one
// its anchor vouched for: a changed header under the same block hash, or
// another anchor, is checked in full and refused.
func TestStateProofs_HeaderCache(t *testing.T) {
	t.Parallel()
	k, _ := keys.Generate(keys.Ed25519)
	p := oneLeafProofs(t, k, "did/latest/x", "v")
	a := StateAnchor{NodeKey: k.Public().Multibase(), Headers: NewHeaderCache()}
	for i := 0; i < 2; i++ {
		if v, err := p.Verify(a); err != nil || v.Height != 7 || !strings.Contains(v.SignedBy, "node key") {
			t.Fatalf("read %d: %+v %v", i, v, err)
		}
	}
	changed := *p
	changed.Header.Time = "2027-01-02T03:04:05.000000Z"
	if _, err := changed.Verify(a); err == nil || !strings.Contains(err.Error(), "header was changed") {
		t.Fatalf("a changed header under a cached block hash: %v", err)
	}
	other, _ := keys.Generate(keys.Ed25519)
	b := a
	b.NodeKey = other.Public().Multibase()
	if _, err := p.Verify(b); err == nil || !strings.Contains(err.Error(), "not the trusted node key") {
		t.Fatalf("another anchor sharing the cache: %v", err)
	}
	c := a
	c.VerifyCommit = func(*CommitProof, string) (string, time.Time, error) { return "", time.Time{}, errors.New("no") }
	if _, err := p.Verify(c); err == nil || !strings.Contains(err.Error(), "consensus commit") {
		t.Fatalf("a commit anchor sharing the cache: %v", err)
	}
	// The cache is bounded.
	for i := 0; i < 2*headersCached; i++ {
		q := oneLeafProofs(t, k, "did/latest/x", strings.Repeat("v", i+2))
		if _, err := q.Verify(a); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(a.Headers.m); n != headersCached || len(a.Headers.order) != headersCached {
		t.Fatalf("%d headers cached, %d in order (at most %d)", n, len(a.Headers.order), headersCached)
	}
}

// The verdict carries the proven block's time, and an anchor with MaxAge
// refuses a block older than it, naming the age and the bound — also for
// a header its HeaderCache vouched for while it was young.
func TestStateProofs_MaxAge(t *testing.T) {
	t.Parallel()
	k, _ := keys.Generate(keys.Ed25519)
	p := oneLeafProofs(t, k, "did/latest/x", "v") // block 7 at 2026-01-02T03:04:05Z
	made := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	now := made.Add(80 * time.Second)
	a := StateAnchor{NodeKey: k.Public().Multibase(), Headers: NewHeaderCache(), MaxAge: 2 * time.Minute, Now: func() time.Time { return now }}
	v, err := p.Verify(a)
	if err != nil || !v.Time.Equal(made) {
		t.Fatalf("young block: %+v %v", v, err)
	}
	if age := v.Age(now); age != 80*time.Second {
		t.Fatalf("age %v, want 80s", age)
	}
	now = made.Add(3 * time.Minute)
	_, err = p.Verify(a)
	if !errors.Is(err, ErrStale) || errors.Is(err, ErrStateProof) || !strings.Contains(err.Error(), "block 7") || !strings.Contains(err.Error(), "3m0s old") || !strings.Contains(err.Error(), "more than the 2m0s allowed") {
		t.Fatalf("an old block, its header cached: %v", err)
	}
	b := StateAnchor{NodeKey: a.NodeKey, MaxAge: time.Minute, Now: a.Now}
	if _, err := p.Verify(b); !errors.Is(err, ErrStale) {
		t.Fatalf("an old block, no cache: %v", err)
	}
	b.MaxAge = 0 // no bound
	if _, err := p.Verify(b); err != nil {
		t.Fatalf("no MaxAge: %v", err)
	}
}

// resigned returns p with its header changed by edit, re-hashed and
// re-signed by k: what a proxy holding no chain key can make.
func resigned(t *testing.T, p *StateProofs, k *keys.PrivateKey, edit func(*Header)) *StateProofs {
	t.Helper()
	q := *p
	edit(&q.Header)
	q.Header.Proposer = k.Public().Multibase()
	raw, _ := json.Marshal(&q.Header)
	c, _ := jcs.Transform(raw)
	sum := sha256.Sum256(c)
	sig, err := k.Sign(sum[:])
	if err != nil {
		t.Fatal(err)
	}
	q.BlockHash, q.Signature = hex.EncodeToString(sum[:]), base64.RawURLEncoding.EncodeToString(sig)
	return &q
}

// Under a validator-set anchor the commit covers only the app hash: a
// header re-dated, or with a forged txRoot, re-signed by another key
// (real app hash, real commit) is refused, naming the block key; a header
// dated after the commit is refused; the age is measured from the
// commit's time.
func TestStateAnchor_CommitAnchorNeedsTheBlockKey(t *testing.T) {
	t.Parallel()
	k, _ := keys.Generate(keys.Ed25519)
	p := oneLeafProofs(t, k, "did/latest/x", "v") // block 7 at 2026-01-02T03:04:05Z
	signed := time.Date(2026, 1, 2, 3, 4, 6, 0, time.UTC)
	now := signed.Add(time.Hour)
	a := StateAnchor{BlockKey: k.Public().Multibase(), MaxAge: time.Minute, Now: func() time.Time { return now },
		VerifyCommit: func(*CommitProof, string) (string, time.Time, error) { return "3 of 4", signed, nil }}
	p.Commit = &CommitProof{WeidHeight: 7, AppHash: p.Header.AppHash}
	if _, err := p.Verify(a); !errors.Is(err, ErrStale) || !strings.Contains(err.Error(), "1h0m0s old") {
		t.Fatalf("an hour after the commit: %v", err)
	}
	now = signed.Add(10 * time.Second)
	if v, err := p.Verify(a); err != nil || !v.Time.Equal(signed) || !strings.Contains(v.SignedBy, "block key") {
		t.Fatalf("honest: %+v %v", v, err)
	}
	proxy, _ := keys.Generate(keys.Ed25519)
	redated := resigned(t, p, proxy, func(h *Header) { h.Time = now.Format(TimeFormat) })
	forged := resigned(t, p, proxy, func(h *Header) { h.TxRoot = strings.Repeat("2", 64) })
	for name, q := range map[string]*StateProofs{"re-dated": redated, "forged txRoot": forged} {
		if _, err := q.Verify(a); !errors.Is(err, ErrStateProof) || !strings.Contains(err.Error(), "not the consortium's block key "+a.BlockKey) {
			t.Errorf("%s, re-signed by another key: %v", name, err)
		}
		if _, err := a.Vouch(&q.Header, q.Commit); err == nil || !strings.Contains(err.Error(), "block key") {
			t.Errorf("%s, Vouch: %v", name, err)
		}
	}
	late := resigned(t, p, k, func(h *Header) { h.Time = now.Format(TimeFormat) })
	if _, err := late.Verify(a); err == nil || !strings.Contains(err.Error(), "re-dated") {
		t.Fatalf("a header dated after its commit: %v", err)
	}
	b := a
	b.BlockKey = ""
	if _, err := p.Verify(b); err == nil || !strings.Contains(err.Error(), "names no weid block key") {
		t.Fatalf("no block key: %v", err)
	}
}
