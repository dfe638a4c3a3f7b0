// Package qr encodes text as a QR code (ISO/IEC 18004) in byte mode, in
// versions 1 to 40 at error correction level L, M, Q or H, choosing the
// smallest version that holds the text and the mask with the lowest
// penalty, and renders it as PNG or SVG. It is what a credential offer's
// deep link needs, nothing more: no numeric, alphanumeric or kanji mode,
// no ECI, no structured append.
package qr

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strconv"
)

// Level is an error correction level.
type Level int

// Error correction levels: about 7%, 15%, 25% and 30% of the codewords may
// be restored.
const (
	L Level = iota
	M
	Q
	H
)

// formatBits are the two bits a level is written as in the format
// information (ISO/IEC 18004 Table 12).
var formatBits = [4]int{L: 1, M: 0, Q: 3, H: 2}

// eccPerBlock and blocks are, per level and version (index 1 to 40), the
// error correction codewords of each block and the number of blocks
// (ISO/IEC 18004 Table 9).
var eccPerBlock = [4][41]int{
	L: {0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30},
	M: {0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28},
	Q: {0, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30},
	H: {0, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30},
}

var blocks = [4][41]int{
	L: {0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25},
	M: {0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49},
	Q: {0, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68},
	H: {0, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81},
}

// rawModules is the number of modules of version v that hold codewords
// (and remainder bits): everything but the function patterns and the
// format and version information.
func rawModules(v int) int {
	n := (16*v+128)*v + 64 // all modules less the finders, separators, timing and format areas
	if v >= 2 {
		a := v/7 + 2
		n -= (25*a-10)*a - 55 // alignment patterns, less their overlap with the timing patterns
		if v >= 7 {
			n -= 36 // version information
		}
	}
	return n
}

// dataCodewords is the number of data codewords of version v at level l.
func dataCodewords(v int, l Level) int {
	return rawModules(v)/8 - eccPerBlock[l][v]*blocks[l][v]
}

// ErrTooLong reports text longer than a version 40 code holds.
var ErrTooLong = errors.New("qr: the text is too long for a QR code at this error correction level")

// Code is an encoded QR code: Size×Size modules, true for dark.
type Code struct {
	Version int
	Level   Level
	Mask    int
	Size    int
	mods    []bool
	fn      []bool // function modules, during encoding
}

// Dark reports whether the module at column x, row y is dark.
func (c *Code) Dark(x, y int) bool {
	if x < 0 || y < 0 || x >= c.Size || y >= c.Size {
		return false
	}
	return c.mods[y*c.Size+x]
}

// Encode encodes text in byte mode (the bytes of its UTF-8) at level l in
// the smallest version that holds it.
func Encode(text string, l Level) (*Code, error) {
	if l < L || l > H {
		return nil, fmt.Errorf("qr: unknown error correction level %d", l)
	}
	data := []byte(text)
	v := 1
	for ; v <= 40; v++ {
		countBits := 8
		if v >= 10 {
			countBits = 16
		}
		if len(data) < 1<<countBits && 4+countBits+8*len(data) <= 8*dataCodewords(v, l) {
			break
		}
	}
	if v > 40 {
		return nil, ErrTooLong
	}
	var bb bitBuffer
	bb.put(0b0100, 4) // byte mode
	if v >= 10 {
		bb.put(len(data), 16)
	} else {
		bb.put(len(data), 8)
	}
	for _, b := range data {
		bb.put(int(b), 8)
	}
	capBits := 8 * dataCodewords(v, l)
	bb.put(0, min(4, capBits-bb.n)) // terminator
	bb.put(0, (8-bb.n%8)%8)
	for pad := 0xEC; bb.n < capBits; pad ^= 0xEC ^ 0x11 {
		bb.put(pad, 8)
	}
	c := &Code{Version: v, Level: l, Size: 4*v + 17}
	c.mods = make([]bool, c.Size*c.Size)
	c.fn = make([]bool, c.Size*c.Size)
	c.drawFunctionPatterns()
	c.placeCodewords(interleave(bb.bytes, v, l))
	best, bestPenalty := 0, -1
	for m := range 8 {
		c.applyMask(m)
		c.drawFormat(m)
		if p := c.penalty(); bestPenalty < 0 || p < bestPenalty {
			best, bestPenalty = m, p
		}
		c.applyMask(m) // undo: XOR
	}
	c.Mask = best
	c.applyMask(best)
	c.drawFormat(best)
	c.fn = nil
	return c, nil
}

// bitBuffer appends bits, most significant first.
type bitBuffer struct {
	bytes []byte
	n     int
}

func (b *bitBuffer) put(v, bits int) {
	for i := bits - 1; i >= 0; i-- {
		if b.n%8 == 0 {
			b.bytes = append(b.bytes, 0)
		}
		if v>>i&1 == 1 {
			b.bytes[b.n/8] |= 0x80 >> (b.n % 8)
		}
		b.n++
	}
}

// interleave splits the data codewords into the version's blocks, appends
// each block's error correction codewords, and interleaves them (ISO/IEC
// 18004 §7.6): the first codeword of each block, then the second, … and
// then the error correction codewords likewise.
func interleave(data []byte, v int, l Level) []byte {
	nBlocks, ecc := blocks[l][v], eccPerBlock[l][v]
	total := rawModules(v) / 8
	shortLen := total / nBlocks // a short block's codewords, data and ecc
	nShort := nBlocks - total%nBlocks
	gen := generator(ecc)
	type block struct{ data, ecc []byte }
	bs := make([]block, nBlocks)
	off := 0
	for i := range bs {
		n := shortLen - ecc
		if i >= nShort {
			n++
		}
		bs[i].data = data[off : off+n]
		bs[i].ecc = remainder(bs[i].data, gen)
		off += n
	}
	out := make([]byte, 0, total)
	for i := 0; i <= shortLen-ecc; i++ {
		for _, b := range bs {
			if i < len(b.data) {
				out = append(out, b.data[i])
			}
		}
	}
	for i := range ecc {
		for _, b := range bs {
			out = append(out, b.ecc[i])
		}
	}
	return out
}

// GF(256) with the QR code's polynomial x^8+x^4+x^3+x^2+1.
var gfExp, gfLog = func() (exp [512]byte, log [256]int) {
	x := 1
	for i := range 255 {
		exp[i] = byte(x)
		log[x] = i
		x <<= 1
		if x&0x100 != 0 {
			x ^= 0x11D
		}
	}
	for i := 255; i < 512; i++ {
		exp[i] = exp[i-255]
	}
	return
}()

func gfMul(a, b byte) byte {
	if a == 0 || b == 0 {
		return 0
	}
	return gfExp[gfLog[a]+gfLog[b]]
}

// generator returns the Reed–Solomon generator polynomial of degree n,
// (x−α^0)(x−α^1)…(x−α^(n−1)), its coefficients highest degree first
// without the leading 1.
func generator(n int) []byte {
	g := make([]byte, n)
	g[n-1] = 1 // the polynomial 1, stored as its lowest coefficient
	root := byte(1)
	for range n {
		// Multiply by (x − root): shift up and add root × g.
		for j := range n {
			g[j] = gfMul(g[j], root)
			if j+1 < n {
				g[j] ^= g[j+1]
			}
		}
		root = gfMul(root, 2)
	}
	return g
}

// remainder returns data(x)·x^n mod gen(x), the n error correction
// codewords.
func remainder(data, gen []byte) []byte {
	r := make([]byte, len(gen))
	for _, d := range data {
		f := d ^ r[0]
		copy(r, r[1:])
		r[len(r)-1] = 0
		for j := range r {
			r[j] ^= gfMul(gen[j], f)
		}
	}
	return r
}

func (c *Code) set(x, y int, dark bool) {
	c.mods[y*c.Size+x] = dark
	c.fn[y*c.Size+x] = true
}

// drawFunctionPatterns draws the finder patterns and their separators, the
// timing patterns, the alignment patterns, the dark module, and the
// version information, and reserves the format information's modules.
func (c *Code) drawFunctionPatterns() {
	n := c.Size
	for i := range n {
		c.set(6, i, i%2 == 0)
		c.set(i, 6, i%2 == 0)
	}
	for _, p := range [][2]int{{3, 3}, {n - 4, 3}, {3, n - 4}} {
		for dy := -4; dy <= 4; dy++ {
			for dx := -4; dx <= 4; dx++ {
				x, y := p[0]+dx, p[1]+dy
				if x < 0 || y < 0 || x >= n || y >= n {
					continue
				}
				d := max(abs(dx), abs(dy))
				c.set(x, y, d != 2 && d != 4)
			}
		}
	}
	pos := alignmentPositions(c.Version)
	for i, ay := range pos {
		for j, ax := range pos {
			last := len(pos) - 1
			if i == 0 && j == 0 || i == 0 && j == last || i == last && j == 0 {
				continue // a finder is there
			}
			for dy := -2; dy <= 2; dy++ {
				for dx := -2; dx <= 2; dx++ {
					c.set(ax+dx, ay+dy, max(abs(dx), abs(dy)) != 1)
				}
			}
		}
	}
	c.drawFormat(0) // reserves the modules; drawn again once the mask is chosen
	if c.Version >= 7 {
		bits := c.Version<<12 | bch(c.Version, 0x1F25, 12)
		for i := range 18 {
			dark := bits>>i&1 == 1
			a, b := n-11+i%3, i/3
			c.set(a, b, dark)
			c.set(b, a, dark)
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// alignmentPositions are the centre coordinates of version v's alignment
// patterns on each axis: 6, then evenly spaced (by an even step) up to
// Size−7.
func alignmentPositions(v int) []int {
	if v == 1 {
		return nil
	}
	count := v/7 + 2
	step := 26
	if v != 32 {
		step = (v*4 + count*2 + 1) / (count*2 - 2) * 2
	}
	pos := make([]int, count)
	pos[0] = 6
	for i, p := count-1, 4*v+10; i >= 1; i, p = i-1, p-step {
		pos[i] = p
	}
	return pos
}

// bch returns the remainder of value·x^deg divided by the generator poly
// (of degree deg): the check bits of a BCH code word.
func bch(value, poly, deg int) int {
	r := value << deg
	for i := 31 - deg; i >= 0; i-- {
		if r>>(i+deg)&1 == 1 {
			r ^= poly << i
		}
	}
	return r
}

// formatWord is the 15-bit format information of level l and mask m.
func formatWord(l Level, m int) int {
	d := formatBits[l]<<3 | m
	return (d<<10 | bch(d, 0x537, 10)) ^ 0x5412
}

// drawFormat draws the format information of the code's level and mask m
// in both of its places, and the dark module.
func (c *Code) drawFormat(m int) {
	bits := formatWord(c.Level, m)
	bit := func(i int) bool { return bits>>i&1 == 1 }
	n := c.Size
	for i := 0; i <= 5; i++ {
		c.set(8, i, bit(i))
	}
	c.set(8, 7, bit(6))
	c.set(8, 8, bit(7))
	c.set(7, 8, bit(8))
	for i := 9; i < 15; i++ {
		c.set(14-i, 8, bit(i))
	}
	for i := range 8 {
		c.set(n-1-i, 8, bit(i))
	}
	for i := 8; i < 15; i++ {
		c.set(8, n-15+i, bit(i))
	}
	c.set(8, n-8, true)
}

// placeCodewords places the codewords' bits in the two-module-wide
// columns, right to left, alternately upwards and downwards, skipping
// function modules and the vertical timing pattern's column.
func (c *Code) placeCodewords(cw []byte) {
	n := c.Size
	i := 0
	for right := n - 1; right >= 1; right -= 2 {
		if right == 6 {
			right = 5
		}
		for vert := range n {
			for j := range 2 {
				x := right - j
				y := vert
				if (right+1)&2 == 0 {
					y = n - 1 - vert
				}
				if c.fn[y*n+x] || i >= len(cw)*8 {
					continue
				}
				c.mods[y*n+x] = cw[i/8]>>(7-i%8)&1 == 1
				i++
			}
		}
	}
}

// maskAt reports whether mask m inverts the module at column x, row y
// (ISO/IEC 18004 Table 10).
func maskAt(m, x, y int) bool {
	switch m {
	case 0:
		return (x+y)%2 == 0
	case 1:
		return y%2 == 0
	case 2:
		return x%3 == 0
	case 3:
		return (x+y)%3 == 0
	case 4:
		return (x/3+y/2)%2 == 0
	case 5:
		return x*y%2+x*y%3 == 0
	case 6:
		return (x*y%2+x*y%3)%2 == 0
	default:
		return ((x+y)%2+x*y%3)%2 == 0
	}
}

// applyMask inverts the non-function modules mask m selects.
func (c *Code) applyMask(m int) {
	n := c.Size
	for y := range n {
		for x := range n {
			if !c.fn[y*n+x] && maskAt(m, x, y) {
				c.mods[y*n+x] = !c.mods[y*n+x]
			}
		}
	}
}

// penalty scores the code as masked (ISO/IEC 18004 §7.8.3): runs of five
// or more modules of one colour, 2×2 blocks of one colour, finder-like
// 1:1:3:1:1 patterns with four light modules on a side, and an unbalanced
// proportion of dark modules.
func (c *Code) penalty() int {
	n := c.Size
	p := 0
	line := make([]bool, n)
	for _, vertical := range []bool{false, true} {
		for a := range n {
			for b := range n {
				if vertical {
					line[b] = c.mods[b*n+a]
				} else {
					line[b] = c.mods[a*n+b]
				}
			}
			run := 1
			for b := 1; b <= n; b++ {
				if b < n && line[b] == line[b-1] {
					run++
					continue
				}
				if run >= 5 {
					p += 3 + run - 5
				}
				run = 1
			}
			for b := 0; b+11 <= n; b++ {
				if finderLike(line[b:b+11], false) || finderLike(line[b:b+11], true) {
					p += 40
				}
			}
		}
	}
	dark := 0
	for y := range n {
		for x := range n {
			d := c.mods[y*n+x]
			if d {
				dark++
			}
			if x+1 < n && y+1 < n && d == c.mods[y*n+x+1] && d == c.mods[(y+1)*n+x] && d == c.mods[(y+1)*n+x+1] {
				p += 3
			}
		}
	}
	total := n * n
	k := 0
	for dev := abs(dark*20 - total*10); dev > total; dev -= total {
		k++ // each 5% away from half dark
	}
	return p + 10*k
}

// finderLike reports whether s (11 modules) is dark-light-dark×3-light-dark
// with four light modules after it, or (reversed) before it.
func finderLike(s []bool, reversed bool) bool {
	pat := [11]bool{true, false, true, true, true, false, true, false, false, false, false}
	for i := range 11 {
		j := i
		if reversed {
			j = 10 - i
		}
		if s[i] != pat[j] {
			return false
		}
	}
	return true
}

// Image returns the code as an image, scale pixels per module, with a
// quiet zone of border modules (the standard asks for 4).
func (c *Code) Image(scale, border int) *image.Paletted {
	side := (c.Size + 2*border) * scale
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	for y := range side {
		for x := range side {
			if c.Dark(x/scale-border, y/scale-border) {
				img.SetColorIndex(x, y, 1)
			}
		}
	}
	return img
}

// PNG returns the code as a PNG image (see Image).
func (c *Code) PNG(scale, border int) ([]byte, error) {
	if scale < 1 || scale > 64 || border < 0 || border > 64 {
		return nil, errors.New("qr: scale must be 1 to 64 and border 0 to 64")
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, c.Image(scale, border)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// SVG returns the code as an SVG image, one unit per module, with a quiet
// zone of border modules; it scales to any size.
func (c *Code) SVG(border int) []byte {
	side := strconv.Itoa(c.Size + 2*border)
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 ` + side + " " + side + `" shape-rendering="crispEdges">` + "\n")
	b.WriteString(`<rect width="100%" height="100%" fill="#fff"/>` + "\n")
	b.WriteString(`<path fill="#000" d="`)
	for y := range c.Size {
		for x := range c.Size {
			if c.Dark(x, y) {
				fmt.Fprintf(&b, "M%d,%dh1v1h-1z", x+border, y+border)
			}
		}
	}
	b.WriteString(`"/>` + "\n</svg>\n")
	return b.Bytes()
}
