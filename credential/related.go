package credential

// Integrity of related resources (VC Data Model 2.0 §5.3): relatedResource
// lists resources a credential depends on, each by its id and one or more
// digests of its bytes — digestSRI (Subresource Integrity §3.5) or
// digestMultibase (VC Data Integrity §2.6: a multibase-encoded digest,
// here also accepted as a multihash). A verifier that retrieves a
// resource must check its digest. weid retrieves nothing; what it knows
// of the documents it embeds (officialDigests, or their bytes) is what it
// checks.

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"

	"github.com/mr-tron/base58"

	"github.com/weidgo/weid/ldproof"
)

// CheckRelatedResource is the name of the check of relatedResource
// digests.
const CheckRelatedResource = "relatedResource"

// RelatedResource is one relatedResource entry whose structure Parse
// checked.
type RelatedResource struct {
	ID      string
	digests []digest
}

// digest is one expected digest of a resource: its algorithm (a key of
// hashes), its bytes, and the member that gave it (for messages).
type digest struct {
	alg    string
	sum    []byte
	member string
}

// hashes are the digest algorithms weid computes.
var hashes = map[string]func() hash.Hash{
	"sha256":   sha256.New,
	"sha384":   sha512.New384,
	"sha512":   sha512.New,
	"sha3-256": func() hash.Hash { return sha3.New256() },
	"sha3-384": func() hash.Hash { return sha3.New384() },
	"sha3-512": func() hash.Hash { return sha3.New512() },
}

// multihashes are the multicodec codes (single-byte varints) of the
// multihash functions of hashes.
var multihashes = map[byte]string{0x12: "sha256", 0x20: "sha384", 0x13: "sha512", 0x16: "sha3-256", 0x15: "sha3-384", 0x14: "sha3-512"}

// rawDigestAlg is the algorithm of a digestMultibase that is a bare
// digest, by its size: the SHA-2 function of that size.
var rawDigestAlg = map[int]string{32: "sha256", 48: "sha384", 64: "sha512"}

// officialDigests are digests of the documents W3C serves at context URLs
// whose embedded copy (the maintainers' npm package) is not byte for byte
// the same: for those, only these digests can be checked. The v2 base
// context's SHA-256 is the one VC Data Model 2.0 §B.1 publishes; its
// SHA-384 is that of the same bytes (as the W3C test suite lists it).
// The undefined-terms context (§5.2) has no published digest and weid
// has only the npm copy of it, so it is listed with none: a digest of it
// is not checked (a warning), rather than checked against bytes W3C may
// not serve.
var officialDigests = map[string]map[string]string{
	ContextV2: {
		"sha256": "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734",
		"sha384": "97f1eb8e5042356c805fdd61afa2c557663785e0794dcafa21e138fd38def18cb360133c221aa31d6896a6bf3e65b614",
	},
	ContextUndefinedTerms: {},
}

// knownDigest returns the digest with algorithm alg of the resource at
// url as weid knows it: from officialDigests for the URLs listed there,
// else computed over the embedded context document. ok is false when
// weid does not know it.
func knownDigest(url, alg string) (sum []byte, ok bool) {
	if official, listed := officialDigests[url]; listed {
		h, ok := official[alg]
		if !ok {
			return nil, false
		}
		sum, err := hex.DecodeString(h)
		return sum, err == nil
	}
	body, embedded := ldproof.ContextBytes(url)
	newHash := hashes[alg]
	if !embedded || newHash == nil {
		return nil, false
	}
	h := newHash()
	h.Write(body)
	return h.Sum(nil), true
}

// relatedResources reads relatedResource: one object or a non-empty set,
// each with an id URL unique in the list and at least one of digestSRI
// and digestMultibase, well formed (VC Data Model 2.0 §5.3).
func relatedResources(doc map[string]any) ([]RelatedResource, error) {
	objs, err := objects(doc["relatedResource"], "relatedResource", false)
	if err != nil {
		return nil, err
	}
	out := make([]RelatedResource, 0, len(objs))
	seen := map[string]bool{}
	for i, o := range objs {
		id, _ := o["id"].(string)
		if !isURL(id) {
			return nil, fmt.Errorf(`"relatedResource" %d must have an "id" URL`, i)
		}
		if seen[id] {
			return nil, fmt.Errorf(`"relatedResource" lists %q twice`, truncate(id, 200))
		}
		seen[id] = true
		rr := RelatedResource{ID: id}
		if v, ok := o["digestSRI"]; ok {
			s, _ := v.(string)
			ds, err := parseSRI(s)
			if err != nil {
				return nil, fmt.Errorf(`"relatedResource" %d: "digestSRI": %v`, i, err)
			}
			rr.digests = append(rr.digests, ds...)
		}
		if v, ok := o["digestMultibase"]; ok {
			s, _ := v.(string)
			d, err := parseMultibaseDigest(s)
			if err != nil {
				return nil, fmt.Errorf(`"relatedResource" %d: "digestMultibase": %v`, i, err)
			}
			rr.digests = append(rr.digests, d)
		}
		if len(rr.digests) == 0 {
			return nil, fmt.Errorf(`"relatedResource" %d must have a "digestSRI" or a "digestMultibase"`, i)
		}
		if v, ok := o["mediaType"]; ok {
			if s, isStr := v.(string); !isStr || s == "" {
				return nil, fmt.Errorf(`"relatedResource" %d: "mediaType" must be a media type string`, i)
			}
		}
		out = append(out, rr)
	}
	return out, nil
}

// parseSRI reads integrity metadata (Subresource Integrity §3.5): hash
// expressions "alg-base64value[?options]" separated by white space, each
// of an algorithm SRI defines (sha256, sha384, sha512), the value
// standard base64 of a digest of its size.
func parseSRI(s string) ([]digest, error) {
	fields := strings.Fields(s)
	if len(fields) == 0 || len(s) > 1024 {
		return nil, errors.New(`must be integrity metadata such as "sha384-<base64 digest>"`)
	}
	var out []digest
	for _, f := range fields {
		alg, val, ok := strings.Cut(f, "-")
		if !ok || (alg != "sha256" && alg != "sha384" && alg != "sha512") {
			return nil, fmt.Errorf("%q is not a sha256, sha384 or sha512 hash expression", truncate(f, 64))
		}
		val, _, _ = strings.Cut(val, "?")
		sum, err := base64.StdEncoding.DecodeString(val)
		if err != nil || len(sum) != hashes[alg]().Size() {
			return nil, fmt.Errorf("%q is not the base64 of a %s digest", truncate(f, 64), alg)
		}
		out = append(out, digest{alg: alg, sum: sum, member: "digestSRI " + alg})
	}
	return out, nil
}

// parseMultibaseDigest reads a digestMultibase: base64url without
// padding ('u') or base58btc ('z') of a SHA-2 digest (its size says which:
// VC Data Integrity §2.6), or of a multihash of a function of hashes.
func parseMultibaseDigest(s string) (digest, error) {
	var raw []byte
	var err error
	switch {
	case len(s) < 2 || len(s) > 256:
		err = errors.New("too short or too long")
	case s[0] == 'u':
		raw, err = base64.RawURLEncoding.DecodeString(s[1:])
	case s[0] == 'z':
		raw, err = base58.Decode(s[1:])
	default:
		err = errors.New("the multibase prefix must be 'u' (base64url) or 'z' (base58btc)")
	}
	if err != nil {
		return digest{}, fmt.Errorf("not a multibase value: %v", err)
	}
	if alg, ok := rawDigestAlg[len(raw)]; ok {
		return digest{alg: alg, sum: raw, member: "digestMultibase (" + alg + ")"}, nil
	}
	if len(raw) >= 2 {
		if alg, ok := multihashes[raw[0]]; ok && int(raw[1]) == hashes[alg]().Size() && len(raw) == 2+int(raw[1]) {
			return digest{alg: alg, sum: raw[2:], member: "digestMultibase (multihash " + alg + ")"}, nil
		}
	}
	return digest{}, errors.New("not a SHA-256, SHA-384 or SHA-512 digest, nor a multihash of one weid computes")
}

// check compares the digests of rr with those weid knows of the resource
// (knownDigest): checked says whether it could compare any, and err names
// the first that does not match.
func (rr RelatedResource) check() (checked bool, err error) {
	for _, d := range rr.digests {
		want, ok := knownDigest(rr.ID, d.alg)
		if !ok {
			continue
		}
		if !bytes.Equal(want, d.sum) {
			return true, fmt.Errorf("the %s of %s does not match the resource", d.member, rr.ID)
		}
		checked = true
	}
	return checked, nil
}

// checkRelatedDigests refuses to issue a credential whose relatedResource
// digests of a resource weid has do not match it: the credential would
// never verify.
func checkRelatedDigests(c *Credential) error {
	for _, rr := range c.Related {
		if _, err := rr.check(); err != nil {
			return fmt.Errorf("%w: relatedResource: %v", ErrInvalid, err)
		}
	}
	return nil
}

// relatedResource runs the relatedResource check: every digest weid can
// check (knownDigest: of an embedded context) must match (VC Data Model
// 2.0 §5.3). Entries with no digest it can check are a warning; no
// relatedResource: skipped.
func (v *Verifier) relatedResource(r *Result, c *Credential) {
	if len(c.Related) == 0 {
		r.addCode(CheckRelatedResource, StatusSkipped, ReasonRelatedNone, nil, "no relatedResource")
		return
	}
	var checked, unchecked []string
	for _, rr := range c.Related {
		retrieved, err := rr.check()
		switch {
		case err != nil:
			r.addCode(CheckRelatedResource, StatusFailed, ReasonRelatedMismatch, params("id", truncate(rr.ID, 200)), err.Error())
			return
		case retrieved:
			checked = append(checked, rr.ID)
		default:
			unchecked = append(unchecked, truncate(rr.ID, 200))
		}
	}
	detail := ""
	if len(checked) > 0 {
		detail = "the digests of " + strings.Join(checked, ", ") + " match"
	}
	if len(unchecked) > 0 {
		if detail != "" {
			detail += "; "
		}
		r.addCode(CheckRelatedResource, StatusWarning, ReasonRelatedUnchecked, params("ids", strings.Join(unchecked, ", ")), detail+"no digest weid can check: "+strings.Join(unchecked, ", "))
		return
	}
	r.addCode(CheckRelatedResource, StatusPassed, ReasonRelatedOK, params("ids", strings.Join(checked, ", ")), detail)
}
