package events

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/weidgo/weid/errs"
)

// Cursor is an event's place in the chain: the block's height, the
// transaction's index in it and the event's index among the transaction's
// events. A block's block.committed event has Tx = the block's
// transaction count, so it comes after the block's other events.
type Cursor struct {
	Height uint64
	Tx     uint32
	Event  uint32
}

// String is the cursor's text, "height.tx.event" in decimal.
func (c Cursor) String() string {
	return strconv.FormatUint(c.Height, 10) + "." + strconv.FormatUint(uint64(c.Tx), 10) + "." + strconv.FormatUint(uint64(c.Event), 10)
}

// Less orders cursors as the chain orders events.
func (c Cursor) Less(d Cursor) bool {
	if c.Height != d.Height {
		return c.Height < d.Height
	}
	if c.Tx != d.Tx {
		return c.Tx < d.Tx
	}
	return c.Event < d.Event
}

// Next is the first position after c: events at Next or later come after
// the event at c.
func (c Cursor) Next() Cursor { return Cursor{c.Height, c.Tx, c.Event + 1} }

// MaxCursorLength bounds a cursor's text: three decimal numbers.
const MaxCursorLength = 20 + 1 + 10 + 1 + 10

// ParseCursor reads a cursor's text ("12.0.3"): three decimal numbers
// without signs or leading zeros. Errors are 400 events.badCursor.
func ParseCursor(s string) (Cursor, error) {
	bad := func(why string) (Cursor, error) {
		return Cursor{}, errs.BadRequest("events.badCursor", "cursor %s: %s (a cursor is height.tx.event, as in an event's cursor)", quote(s), why)
	}
	if len(s) > MaxCursorLength {
		return bad("too long")
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return bad("not three numbers separated by dots")
	}
	var n [3]uint64
	for i, p := range parts {
		v, err := parseDecimal(p, []int{64, 32, 32}[i])
		if err != nil {
			return bad(err.Error())
		}
		n[i] = v
	}
	return Cursor{Height: n[0], Tx: uint32(n[1]), Event: uint32(n[2])}, nil
}

// parseDecimal reads a decimal number of at most bits bits, with no sign,
// space or leading zero, so that every cursor has one text.
func parseDecimal(s string, bits int) (uint64, error) {
	if s == "" {
		return 0, fmt.Errorf("empty number")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%s is not a decimal number", quote(s))
		}
	}
	if len(s) > 1 && s[0] == '0' {
		return 0, fmt.Errorf("%s has a leading zero", quote(s))
	}
	v, err := strconv.ParseUint(s, 10, bits)
	if err != nil {
		return 0, fmt.Errorf("%s is out of range", quote(s))
	}
	return v, nil
}

// quote quotes s for an error message, shortened.
func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return strconv.Quote(s)
}
