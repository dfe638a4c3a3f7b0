// Package qr draws the QR codes (ISO/IEC 18004) of the deep links a node
// shows — OpenID4VCI credential offers and OpenID4VP presentation requests
// — as PNG or SVG, at error correction level M with the standard quiet
// zone of 4 modules.
//
// The symbol is encoded by github.com/yeqown/go-qrcode/v2, a maintained
// library, rather than by an encoder of our own (weid had one, byte mode
// up to version 40, until issue 12 replaced it). Compared for our links —
// an offer by reference, a presentation request and an offer by value of
// 153, 235 and 521 bytes — with our old encoder and with
// github.com/skip2/go-qrcode (whose last release is from 2020): all three
// choose the same smallest version at level M (9, 11 and 18), and drawn as
// here yeqown's PNGs are byte for byte as large as our old ones (879, 1089
// and 2096 bytes; skip2's own PNGs 904, 1123 and 2167). Encoding and
// drawing a PNG took as long as with our old encoder, within the noise of
// a loaded machine, and half as long as skip2's own PNG writer (which
// compresses harder); BenchmarkEncode measures it. Neither library writes
// SVG (yeqown's image writers are separate modules on a 2D graphics
// library), so this package draws both images from the module matrix
// itself, in a few lines. The tests decode the PNGs with zbarimg (Debian
// zbar-tools, scripts/install-zbar.sh) when it is installed.
package qr

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strconv"

	qrcode "github.com/yeqown/go-qrcode/v2"
)

// Border is the quiet zone around a code, in modules (ISO/IEC 18004 §6.3.8).
const Border = 4

// Scale is how many pixels a module is in a PNG.
const Scale = 8

// Code is a QR code's modules.
type Code struct {
	// Size is the number of modules on a side: 17 + 4 × version.
	Size int
	dark [][]bool
}

// Version is the code's version, 1 to 40.
func (c *Code) Version() int { return (c.Size - 17) / 4 }

// Dark reports whether the module at column x, row y is dark; outside the
// symbol (the quiet zone) it is light.
func (c *Code) Dark(x, y int) bool {
	return x >= 0 && y >= 0 && x < c.Size && y < c.Size && c.dark[y][x]
}

// matrix is the qrcode.Writer that keeps the module matrix.
type matrix struct{ dark [][]bool }

func (m *matrix) Write(mat qrcode.Matrix) error { m.dark = mat.Bitmap(); return nil }
func (m *matrix) Close() error                  { return nil }

// Encode encodes text as the smallest QR code of level M that holds it.
func Encode(text string) (*Code, error) {
	q, err := qrcode.NewWith(text, qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium))
	if err != nil {
		return nil, fmt.Errorf("qr: %w", err)
	}
	var m matrix
	if err := q.Save(&m); err != nil {
		return nil, fmt.Errorf("qr: %w", err)
	}
	if len(m.dark) == 0 || len(m.dark[0]) != len(m.dark) {
		return nil, errors.New("qr: the encoder returned no square matrix")
	}
	return &Code{Size: len(m.dark), dark: m.dark}, nil
}

// PNG returns the code as a black-on-white PNG, Scale pixels per module,
// with a quiet zone of Border modules.
func (c *Code) PNG() ([]byte, error) {
	side := (c.Size + 2*Border) * Scale
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	for y := range side {
		for x := range side {
			if c.Dark(x/Scale-Border, y/Scale-Border) {
				img.SetColorIndex(x, y, 1)
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// SVG returns the code as an SVG image, one unit per module, with a quiet
// zone of Border modules; it scales to any size.
func (c *Code) SVG() []byte {
	side := strconv.Itoa(c.Size + 2*Border)
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 ` + side + " " + side + `" shape-rendering="crispEdges">` + "\n")
	b.WriteString(`<rect width="100%" height="100%" fill="#fff"/>` + "\n")
	b.WriteString(`<path fill="#000" d="`)
	for y := range c.Size {
		for x := range c.Size {
			if c.Dark(x, y) {
				fmt.Fprintf(&b, "M%d,%dh1v1h-1z", x+Border, y+Border)
			}
		}
	}
	b.WriteString(`"/>` + "\n</svg>\n")
	return b.Bytes()
}

// PNG is the PNG of text's QR code.
func PNG(text string) ([]byte, error) {
	c, err := Encode(text)
	if err != nil {
		return nil, err
	}
	return c.PNG()
}
