package chain

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/transparency-dev/merkle/rfc6962"
)

// Reference RFC 6962 §2.1 Merkle Tree Hash, written from the RFC:
//
//	MTH({})      = SHA-256()
//	MTH({d(0)})  = SHA-256(0x00 || d(0))
//	MTH(D[n])    = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])), k the largest power of two < n
func refMTH(d [][]byte) []byte {
	switch len(d) {
	case 0:
		s := sha256.Sum256(nil)
		return s[:]
	case 1:
		s := sha256.Sum256(append([]byte{0}, d[0]...))
		return s[:]
	}
	k := refSplit(len(d))
	return refNode(refMTH(d[:k]), refMTH(d[k:]))
}

func refNode(l, r []byte) []byte {
	s := sha256.Sum256(append(append([]byte{1}, l...), r...))
	return s[:]
}

func refSplit(n int) int {
	k := 1
	for k<<1 < n {
		k <<= 1
	}
	return k
}

// refPath is the RFC 6962 §2.1.1 audit path PATH(m, D[n]).
func refPath(m int, d [][]byte) [][]byte {
	if len(d) <= 1 {
		return nil
	}
	k := refSplit(len(d))
	if m < k {
		return append(refPath(m, d[:k]), refMTH(d[k:]))
	}
	return append(refPath(m-k, d[k:]), refMTH(d[:k]))
}

func testLeaves(n int) [][]byte {
	leaves := make([][]byte, n)
	for i := range leaves {
		s := sha256.Sum256([]byte(fmt.Sprintf("tx %d", i)))
		leaves[i] = s[:]
	}
	return leaves
}

func TestMerkleRootMatchesRFC6962(t *testing.T) {
	t.Parallel()
	for n := 0; n <= 70; n++ {
		leaves := testLeaves(n)
		if got, want := merkleRoot(rfc6962.DefaultHasher, leaves), refMTH(leaves); !bytes.Equal(got, want) {
			t.Fatalf("size %d: merkleRoot %x, RFC 6962 MTH %x", n, got, want)
		}
	}
	// MTH({}) is the hash of the empty string.
	if got := hex.EncodeToString(merkleRoot(rfc6962.DefaultHasher, nil)); got != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Fatalf("empty root %s", got)
	}
}

func TestInclusionProofs(t *testing.T) {
	t.Parallel()
	for n := 1; n <= 70; n++ {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			leaves := testLeaves(n)
			root := hex.EncodeToString(merkleRoot(rfc6962.DefaultHasher, leaves))
			other := hex.EncodeToString(refMTH(testLeaves(n + 1)))
			for i := range leaves {
				p, err := buildInclusionProof(rfc6962.DefaultHasher, leaves, uint64(i))
				if err != nil {
					t.Fatalf("leaf %d: %v", i, err)
				}
				if p.LeafIndex != uint64(i) || p.TreeSize != uint64(n) {
					t.Fatalf("leaf %d: proof for %d of %d", i, p.LeafIndex, p.TreeSize)
				}
				ref := refPath(i, leaves)
				if len(ref) != len(p.Hashes) {
					t.Fatalf("leaf %d: %d hashes, RFC 6962 PATH has %d", i, len(p.Hashes), len(ref))
				}
				for j := range ref {
					if p.Hashes[j] != hex.EncodeToString(ref[j]) {
						t.Fatalf("leaf %d: hash %d is %s, RFC 6962 PATH has %x", i, j, p.Hashes[j], ref[j])
					}
				}
				leaf := hex.EncodeToString(leaves[i])
				if err := VerifyInclusion(leaf, root, p); err != nil {
					t.Fatalf("leaf %d: %v", i, err)
				}

				wrong := map[string]func() error{
					"wrong leaf": func() error {
						return VerifyInclusion(hex.EncodeToString(leaves[(i+1)%n]), root, p)
					},
					"wrong root": func() error { return VerifyInclusion(leaf, other, p) },
					"wrong index": func() error {
						q := *p
						q.LeafIndex = uint64((i + 1) % n)
						return VerifyInclusion(leaf, root, &q)
					},
					"index out of range": func() error {
						q := *p
						q.LeafIndex = uint64(n)
						return VerifyInclusion(leaf, root, &q)
					},
					// (A wrong tree size can verify: an audit path does not
					// always fix the size. Callers take the size from a
					// trusted source.)
					"size smaller than the index": func() error {
						q := *p
						q.TreeSize = uint64(i)
						return VerifyInclusion(leaf, root, &q)
					},
					"tampered hash": func() error {
						if len(p.Hashes) == 0 {
							return fmt.Errorf("no hashes to tamper with")
						}
						q := *p
						q.Hashes = append([]string(nil), p.Hashes...)
						q.Hashes[len(q.Hashes)-1] = hex.EncodeToString(leaves[i])
						return VerifyInclusion(leaf, root, &q)
					},
					"extra hash": func() error {
						q := *p
						q.Hashes = append(append([]string(nil), p.Hashes...), root)
						return VerifyInclusion(leaf, root, &q)
					},
					"bad hex": func() error {
						return VerifyInclusion("zz", root, p)
					},
					"no proof": func() error { return VerifyInclusion(leaf, root, nil) },
				}
				for name, f := range wrong {
					if name == "wrong leaf" || name == "wrong index" {
						if n == 1 {
							continue // there is no other leaf
						}
					}
					if err := f(); err == nil {
						t.Fatalf("leaf %d: %s verifies", i, name)
					}
				}
			}
			if _, err := buildInclusionProof(rfc6962.DefaultHasher, leaves, uint64(n)); err == nil {
				t.Fatalf("proof for leaf %d of %d", n, n)
			}
		})
	}
}
