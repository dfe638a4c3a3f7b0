package batch

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/weidgo/weid/errs"
)

// MaxLineBytes bounds one line of an NDJSON stream: a credential (at most
// 128 KiB of JSON, or a 256 KiB compact token) with room to spare. A
// longer line is not read into memory: its result is a
// batch.lineTooLong, and the stream goes on with the next line.
const MaxLineBytes = 512 << 10

// NDJSON reads one credential per line (newline-delimited JSON): a JSON
// object (Data Integrity) or a JSON string (compact vc+jwt or SD-JWT).
// Blank lines are skipped; a line that is not one JSON value is an item
// whose result is credential.invalid. That check is left to the verifying
// workers (Item.Check), so the one goroutine reading the stream only splits
// it into lines.
type NDJSON struct {
	r    *bufio.Reader
	buf  []byte
	slab []byte // lines are copied here, many to one allocation
}

// NDJSONBufferSize is the read buffer of an NDJSON source. A *bufio.Reader
// at least this large given to NewNDJSON is used as it is, so a caller may
// peek at the stream first.
const NDJSONBufferSize = 64 << 10

// slabSize is the allocation NDJSON copies short lines into; a line over
// slabLine bytes gets its own. A slab lives as long as the last of its
// lines, so at most one slab per chunk in flight is held beyond its use.
const (
	slabSize = 32 << 10
	slabLine = 4 << 10
)

// NewNDJSON returns a Source reading NDJSON from r.
func NewNDJSON(r io.Reader) *NDJSON {
	return &NDJSON{r: bufio.NewReaderSize(r, NDJSONBufferSize)}
}

// Next implements Source.
func (n *NDJSON) Next() (Item, error) {
	for {
		line, tooLong, err := n.line()
		if err != nil {
			return Item{}, err
		}
		if tooLong {
			return Item{Err: errs.New(http.StatusRequestEntityTooLarge, "batch.lineTooLong", "the line is longer than %d bytes", MaxLineBytes)}, nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		// The chunk keeps the item after the next read: copy it out of
		// the reader's buffer.
		return Item{Raw: n.keep(line), unchecked: true}, nil
	}
}

// keep copies line into the current slab (a new one when it is full), or
// into its own allocation when it is long. The copy's capacity ends with
// it, so an append to one line never writes over the next.
func (n *NDJSON) keep(line []byte) json.RawMessage {
	if len(line) > slabLine {
		return append(json.RawMessage(nil), line...)
	}
	if cap(n.slab)-len(n.slab) < len(line) {
		n.slab = make([]byte, 0, slabSize)
	}
	at := len(n.slab)
	n.slab = append(n.slab, line...)
	return n.slab[at:len(n.slab):len(n.slab)]
}

// line reads the next line without its newline. A line over MaxLineBytes
// is skipped to its end and reported tooLong. io.EOF comes only when
// nothing is left.
func (n *NDJSON) line() (line []byte, tooLong bool, err error) {
	n.buf = n.buf[:0]
	for {
		frag, err := n.r.ReadSlice('\n')
		if err == nil && len(n.buf) == 0 {
			// The whole line is in the reader's buffer (the common case):
			// hand it out from there, one copy fewer.
			return frag[:len(frag)-1], false, nil
		}
		if len(n.buf)+len(frag) > MaxLineBytes+1 {
			tooLong = true
		} else {
			n.buf = append(n.buf, frag...)
		}
		switch {
		case err == nil:
			return bytes.TrimSuffix(n.buf, []byte("\n")), tooLong, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(n.buf) == 0 && !tooLong {
				return nil, false, io.EOF
			}
			return n.buf, tooLong, nil
		default:
			return nil, false, fmt.Errorf("read the stream: %w", err)
		}
	}
}

// Slice is a Source over credentials already in memory (a JSON array's
// elements).
type Slice struct {
	items []json.RawMessage
	i     int
}

// NewSlice returns a Source over items.
func NewSlice(items []json.RawMessage) *Slice { return &Slice{items: items} }

// Next implements Source.
func (s *Slice) Next() (Item, error) {
	if s.i >= len(s.items) {
		return Item{}, io.EOF
	}
	s.i++
	return Item{Raw: s.items[s.i-1]}, nil
}

// SourceFunc adapts a function to Source.
type SourceFunc func() (Item, error)

// Next implements Source.
func (f SourceFunc) Next() (Item, error) { return f() }
