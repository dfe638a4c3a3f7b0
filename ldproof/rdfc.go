package ldproof

// RDF Dataset Canonicalization RDFC-1.0 (https://www.w3.org/TR/rdf-canon/)
// over the quads json-gold produces. weid runs its own canonicalizer
// rather than json-gold's Normalize for two reasons: RDFC-1.0 §4.8 asks
// implementations to bound the work of the N-degree hash (a 10-node
// blank-node clique, rdf-canon test074, takes json-gold practically
// forever), and json-gold's serializer escapes literals differently from
// canonical N-Quads (RDF 1.2 N-Quads §4).

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Kinds of RDF terms.
const (
	termNone    = iota // absent: the default graph
	termIRI            // <iri>
	termBlank          // _:label (value without "_:")
	termLiteral        // "value"^^<datatype> or "value"@lang
)

const (
	xsdString     = "http://www.w3.org/2001/XMLSchema#string"
	rdfLangString = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
)

// term is one RDF term.
type term struct {
	kind     int
	value    string
	datatype string // literals; "" means xsd:string
	lang     string // literals with a language tag
}

// quad is subject, predicate, object and graph name (kind termNone for
// the default graph).
type quad [4]term

// errTooComplex is returned when canonicalization would exceed its work
// budget: the dataset has blank nodes too symmetrical to label cheaply.
var errTooComplex = errors.New("the RDF dataset is too complex to canonicalize (blank nodes too many or too alike)")

// rdfcLimits bound one canonicalization. A credential has a few dozen
// blank nodes and needs no N-degree hash at all, or a handful.
const (
	maxBlankNodes  = 10_000
	maxNDegreeWork = 20_000 // N-degree hash calls plus permutations tried
)

// canonicalizer holds the state of one RDFC-1.0 run (§4.2).
type canonicalizer struct {
	quads      []quad
	bnodeQuads map[string][]int // blank node → indexes of its quads
	canonical  *issuer
	newHash    func() hash.Hash
	work       int
	firstCache map[string]string
}

// issuer is an identifier issuer (§4.3).
type issuer struct {
	prefix  string
	counter int
	issued  map[string]string
	order   []string
}

func newIssuer(prefix string) *issuer {
	return &issuer{prefix: prefix, issued: map[string]string{}}
}

func (is *issuer) issue(id string) string {
	if v, ok := is.issued[id]; ok {
		return v
	}
	v := is.prefix + strconv.Itoa(is.counter)
	is.counter++
	is.issued[id] = v
	is.order = append(is.order, id)
	return v
}

func (is *issuer) clone() *issuer {
	c := &issuer{prefix: is.prefix, counter: is.counter, issued: make(map[string]string, len(is.issued)), order: slices.Clone(is.order)}
	for k, v := range is.issued {
		c.issued[k] = v
	}
	return c
}

// canonicalize returns the canonical N-Quads of a dataset (RDFC-1.0 §4.4)
// hashing with SHA-256, and the issued identifiers map (original blank
// node label → canonical label).
func canonicalize(qs []quad) ([]byte, map[string]string, error) {
	return canonicalizeWith(qs, sha256.New)
}

func canonicalizeWith(qs []quad, newHash func() hash.Hash) ([]byte, map[string]string, error) {
	c := &canonicalizer{quads: qs, bnodeQuads: map[string][]int{}, canonical: newIssuer("c14n"), newHash: newHash, firstCache: map[string]string{}}
	// §4.4.3 step 2: the blank node to quads map. A quad names a blank
	// node once even when it appears in two positions.
	for i, q := range qs {
		for _, pos := range [3]int{0, 2, 3} {
			t := q[pos]
			if t.kind != termBlank {
				continue
			}
			l := c.bnodeQuads[t.value]
			if len(l) == 0 || l[len(l)-1] != i {
				c.bnodeQuads[t.value] = append(l, i)
			}
		}
	}
	if len(c.bnodeQuads) > maxBlankNodes {
		return nil, nil, errTooComplex
	}
	// Step 3: first-degree hashes.
	hashToBnodes := map[string][]string{}
	for id := range c.bnodeQuads {
		h := c.hashFirstDegree(id)
		hashToBnodes[h] = append(hashToBnodes[h], id)
	}
	hashes := slices.Sorted(maps.Keys(hashToBnodes))
	// Step 4: unique hashes get canonical identifiers in hash order.
	var shared []string
	for _, h := range hashes {
		if ids := hashToBnodes[h]; len(ids) == 1 {
			c.canonical.issue(ids[0])
		} else {
			shared = append(shared, h)
		}
	}
	// Step 5: the rest by N-degree hashes.
	for _, h := range shared {
		type result struct {
			hash string
			is   *issuer
		}
		var list []result
		ids := hashToBnodes[h]
		slices.Sort(ids) // deterministic work order; the result does not depend on it
		for _, id := range ids {
			if _, ok := c.canonical.issued[id]; ok {
				continue
			}
			tmp := newIssuer("b")
			tmp.issue(id)
			rh, ris, err := c.hashNDegree(id, tmp)
			if err != nil {
				return nil, nil, err
			}
			list = append(list, result{rh, ris})
		}
		slices.SortStableFunc(list, func(a, b result) int { return strings.Compare(a.hash, b.hash) })
		for _, r := range list {
			for _, id := range r.is.order {
				c.canonical.issue(id)
			}
		}
	}
	// Step 6: the canonical N-Quads, sorted.
	lines := make([]string, len(qs))
	for i, q := range qs {
		lines[i] = serializeQuad(q, func(id string) string { return c.canonical.issued[id] })
	}
	slices.Sort(lines)
	lines = slices.Compact(lines) // a dataset is a set of quads
	n := 0
	for _, l := range lines {
		n += len(l)
	}
	out := make([]byte, 0, n)
	for _, l := range lines {
		out = append(out, l...)
	}
	issued := make(map[string]string, len(c.canonical.issued))
	for k, v := range c.canonical.issued {
		issued[k] = v
	}
	return out, issued, nil
}

func (c *canonicalizer) hashString(s string) string {
	h := c.newHash()
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil))
}

// hashFirstDegree is Hash First Degree Quads (§4.6).
func (c *canonicalizer) hashFirstDegree(id string) string {
	if h, ok := c.firstCache[id]; ok {
		return h
	}
	idx := c.bnodeQuads[id]
	lines := make([]string, len(idx))
	for i, qi := range idx {
		lines[i] = serializeQuad(c.quads[qi], func(b string) string {
			if b == id {
				return "a"
			}
			return "z"
		})
	}
	slices.Sort(lines)
	h := c.hashString(strings.Join(lines, ""))
	c.firstCache[id] = h
	return h
}

// hashRelated is Hash Related Blank Node (§4.7).
func (c *canonicalizer) hashRelated(related string, q quad, is *issuer, position byte) string {
	var id string
	if v, ok := c.canonical.issued[related]; ok {
		id = "_:" + v
	} else if v, ok := is.issued[related]; ok {
		id = "_:" + v
	} else {
		id = c.hashFirstDegree(related)
	}
	var b strings.Builder
	b.WriteByte(position)
	if position != 'g' {
		b.WriteByte('<')
		b.WriteString(q[1].value)
		b.WriteByte('>')
	}
	b.WriteString(id)
	return c.hashString(b.String())
}

// hashNDegree is Hash N-Degree Quads (§4.8), counting its work against
// maxNDegreeWork.
func (c *canonicalizer) hashNDegree(id string, is *issuer) (string, *issuer, error) {
	c.work++
	if c.work > maxNDegreeWork {
		return "", nil, errTooComplex
	}
	related := map[string][]string{}
	for _, qi := range c.bnodeQuads[id] {
		q := c.quads[qi]
		for _, p := range [3]struct {
			pos int
			tag byte
		}{{0, 's'}, {2, 'o'}, {3, 'g'}} {
			t := q[p.pos]
			if t.kind != termBlank || t.value == id {
				continue
			}
			h := c.hashRelated(t.value, q, is, p.tag)
			related[h] = append(related[h], t.value)
		}
	}
	hashes := slices.Sorted(maps.Keys(related))
	var data strings.Builder
	for _, h := range hashes {
		data.WriteString(h)
		chosenPath := ""
		var chosenIssuer *issuer
		var err error
		permute(related[h], func(perm []string) bool {
			c.work++
			if c.work > maxNDegreeWork {
				err = errTooComplex
				return false
			}
			isCopy := is.clone()
			var path strings.Builder
			var recursion []string
			for _, r := range perm {
				if v, ok := c.canonical.issued[r]; ok {
					path.WriteString("_:" + v)
				} else {
					if _, ok := isCopy.issued[r]; !ok {
						recursion = append(recursion, r)
					}
					path.WriteString("_:" + isCopy.issue(r))
				}
				if chosenPath != "" && path.Len() >= len(chosenPath) && path.String() > chosenPath {
					return true
				}
			}
			for _, r := range recursion {
				rh, ris, e := c.hashNDegree(r, isCopy)
				if e != nil {
					err = e
					return false
				}
				path.WriteString("_:" + isCopy.issue(r))
				path.WriteString("<" + rh + ">")
				isCopy = ris
				if chosenPath != "" && path.Len() >= len(chosenPath) && path.String() > chosenPath {
					return true
				}
			}
			if chosenPath == "" || path.String() < chosenPath {
				chosenPath = path.String()
				chosenIssuer = isCopy
			}
			return true
		})
		if err != nil {
			return "", nil, err
		}
		data.WriteString(chosenPath)
		is = chosenIssuer
	}
	return c.hashString(data.String()), is, nil
}

// permute calls f with every permutation of list (Heap's algorithm) until
// f returns false.
func permute(list []string, f func([]string) bool) {
	a := slices.Clone(list)
	n := len(a)
	idx := make([]int, n)
	if !f(a) {
		return
	}
	for i := 0; i < n; {
		if idx[i] < i {
			if i%2 == 0 {
				a[0], a[i] = a[i], a[0]
			} else {
				a[idx[i]], a[i] = a[i], a[idx[i]]
			}
			if !f(a) {
				return
			}
			idx[i]++
			i = 0
		} else {
			idx[i] = 0
			i++
		}
	}
}

// serializeQuad writes q as one canonical N-Quads line (RDF 1.2 N-Quads
// §4), naming blank nodes by label(original label).
func serializeQuad(q quad, label func(string) string) string {
	var b strings.Builder
	for i, t := range q {
		if t.kind == termNone {
			continue
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		switch t.kind {
		case termIRI:
			b.WriteByte('<')
			b.WriteString(t.value)
			b.WriteByte('>')
		case termBlank:
			b.WriteString("_:")
			b.WriteString(label(t.value))
		case termLiteral:
			b.WriteByte('"')
			escapeLiteral(&b, t.value)
			b.WriteByte('"')
			switch {
			case t.lang != "":
				b.WriteByte('@')
				b.WriteString(t.lang)
			case t.datatype != "" && t.datatype != xsdString:
				b.WriteString("^^<")
				b.WriteString(t.datatype)
				b.WriteByte('>')
			}
		}
	}
	b.WriteString(" .\n")
	return b.String()
}

// escapeLiteral writes s in canonical N-Quads string form: ECHAR for
// backspace, tab, line feed, form feed, carriage return, quote and
// backslash, UCHAR (\uXXXX, upper-case hex) for the other control
// characters and DEL, everything else as is.
func escapeLiteral(b *strings.Builder, s string) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch r {
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		default:
			if r < 0x20 || r == 0x7f {
				b.WriteString(`\u00`)
				const hexd = "0123456789ABCDEF"
				b.WriteByte(hexd[r>>4])
				b.WriteByte(hexd[r&0xf])
			} else {
				b.WriteRune(r)
			}
		}
	}
}
