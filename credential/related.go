package credential

// Integrity of related resources (VC Data Model 2.0 §5.3): relatedResource
// lists resources a credential depends on, each by its id and one or more
// digests of its bytes — digestSRI (Subresource Integrity §3.1) or
// digestMultibase (a multibase-encoded multihash). A verifier that
// retrieves a resource must check its digest; weid retrieves nothing, but
// has the @context documents it embeds (ldproof.ContextBytes), and checks
// the entries that name them.

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"encoding/base64"
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

// digest is one expected digest of a resource: the algorithm, the bytes,
// and how the credential wrote it (for messages).
type digest struct {
	newHash func() hash.Hash
	sum     []byte
	member  string
}

// sriHashes are the hash algorithms of Subresource Integrity (§3.2).
var sriHashes = map[string]func() hash.Hash{"sha256": sha256.New, "sha384": sha512.New384, "sha512": sha512.New}

// multihashes are the multicodec codes of the multihash functions weid
// computes (single-byte varints), with their digest sizes.
var multihashes = map[byte]struct {
	newHash func() hash.Hash
	size    int
}{
	0x12: {sha256.New, 32},                                // sha2-256
	0x20: {sha512.New384, 48},                             // sha2-384
	0x13: {sha512.New, 64},                                // sha2-512
	0x16: {func() hash.Hash { return sha3.New256() }, 32}, // sha3-256
	0x15: {func() hash.Hash { return sha3.New384() }, 48}, // sha3-384
	0x14: {func() hash.Hash { return sha3.New512() }, 64}, // sha3-512
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
// of an algorithm SRI defines, the value standard base64 of a digest of
// its size.
func parseSRI(s string) ([]digest, error) {
	fields := strings.Fields(s)
	if len(fields) == 0 || len(s) > 1024 {
		return nil, errors.New(`must be integrity metadata such as "sha384-<base64 digest>"`)
	}
	var out []digest
	for _, f := range fields {
		alg, val, ok := strings.Cut(f, "-")
		newHash := sriHashes[alg]
		if !ok || newHash == nil {
			return nil, fmt.Errorf("%q is not a sha256, sha384 or sha512 hash expression", truncate(f, 64))
		}
		val, _, _ = strings.Cut(val, "?")
		sum, err := base64.StdEncoding.DecodeString(val)
		if err != nil || len(sum) != newHash().Size() {
			return nil, fmt.Errorf("%q is not the base64 of a %s digest", truncate(f, 64), alg)
		}
		out = append(out, digest{newHash: newHash, sum: sum, member: "digestSRI " + alg})
	}
	return out, nil
}

// parseMultibaseDigest reads a multibase (base64url without padding, 'u',
// or base58btc, 'z') multihash of a function weid computes.
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
		return digest{}, fmt.Errorf("not a multibase multihash: %v", err)
	}
	if len(raw) < 2 {
		return digest{}, errors.New("not a multihash")
	}
	mh, ok := multihashes[raw[0]]
	if !ok || int(raw[1]) != mh.size || len(raw) != 2+mh.size {
		return digest{}, errors.New("not a sha2-256/384/512 or sha3-256/384/512 multihash of the right length")
	}
	return digest{newHash: mh.newHash, sum: raw[2:], member: fmt.Sprintf("digestMultibase (multihash 0x%02x)", raw[0])}, nil
}

// check compares the digests of rr with the resource, if weid has it
// (an embedded context): retrieved says whether it has it, and err names
// the first digest that does not match.
func (rr RelatedResource) check() (retrieved bool, err error) {
	body, ok := ldproof.ContextBytes(rr.ID)
	if !ok {
		return false, nil
	}
	for _, d := range rr.digests {
		h := d.newHash()
		h.Write(body)
		if !bytes.Equal(h.Sum(nil), d.sum) {
			return true, fmt.Errorf("the %s of %s does not match the resource", d.member, rr.ID)
		}
	}
	return true, nil
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

// relatedResource runs the relatedResource check: every digest of an
// entry weid can retrieve (an embedded context) must match its bytes
// (VC Data Model 2.0 §5.3). Entries it cannot retrieve are not checked,
// which is a warning; no relatedResource: skipped.
func (v *Verifier) relatedResource(r *Result, c *Credential) {
	if len(c.Related) == 0 {
		r.add(CheckRelatedResource, StatusSkipped, "no relatedResource")
		return
	}
	var checked, unchecked []string
	for _, rr := range c.Related {
		retrieved, err := rr.check()
		switch {
		case err != nil:
			r.add(CheckRelatedResource, StatusFailed, err.Error())
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
		r.add(CheckRelatedResource, StatusWarning, detail+"not retrieved, so not checked: "+strings.Join(unchecked, ", "))
		return
	}
	r.add(CheckRelatedResource, StatusPassed, detail)
}
