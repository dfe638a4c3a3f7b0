package batch

import (
	"net/url"
	"strconv"
	"unicode/utf8"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/strictjson"
)

// Detail is how much of each result a batch answer carries.
type Detail int

const (
	// DetailFull is every named check with its status and detail, as the
	// single verify endpoint reports them: {index, verified, checks,
	// errors[, code, detail]}. The default.
	DetailFull Detail = iota
	// DetailFailures names checks only when they fail: {index, verified}
	// for a credential that verified, {index, verified, errors} for one
	// that failed (warnings and passed checks left out), {index, verified,
	// code, detail} for an item that could not be verified. A batch caller
	// that only acts on failures gets about 30 bytes per verified
	// credential instead of about 900.
	DetailFailures
)

// ParseDetail reads the detail query parameter: "" or "full", or
// "failures".
func ParseDetail(s string) (Detail, error) {
	switch s {
	case "", "full":
		return DetailFull, nil
	case "failures":
		return DetailFailures, nil
	}
	return DetailFull, errs.BadRequest("request.badQuery", "detail must be full or failures, not %q", strictjson.Truncate(s, 40))
}

// ParseDetailQuery reads the detail parameter of a batch request's query
// (ParseDetail) after api.CheckBatchQuery has refused any parameter the
// request's form (a stream, or JSON) does not take.
func ParseDetailQuery(q url.Values, stream bool) (Detail, error) {
	if err := api.CheckBatchQuery(q, stream); err != nil {
		return DetailFull, err
	}
	return ParseDetail(q.Get(api.BatchQueryDetail))
}

// String is the query parameter's value for d.
func (d Detail) String() string {
	if d == DetailFailures {
		return "failures"
	}
	return "full"
}

// AppendResult appends r as one JSON object in form d. With DetailFull the
// bytes are those encoding/json writes for a Result (HTML characters not
// escaped, as json.Encoder.SetEscapeHTML(false)), without its reflection:
// the emitter of a stream encodes every result on one goroutine.
func AppendResult(dst []byte, r *Result, d Detail) []byte {
	dst = append(dst, `{"index":`...)
	dst = strconv.AppendInt(dst, int64(r.Index), 10)
	dst = append(dst, `,"verified":`...)
	dst = strconv.AppendBool(dst, r.Verified)
	if d == DetailFull {
		dst = append(dst, `,"checks":`...)
		dst = appendChecks(dst, r.Checks)
		dst = append(dst, `,"errors":`...)
		dst = appendChecks(dst, r.Errors)
	} else if len(r.Errors) > 0 {
		dst = append(dst, `,"errors":`...)
		dst = appendChecks(dst, r.Errors)
	}
	if r.Code != "" {
		dst = append(dst, `,"code":`...)
		dst = appendString(dst, r.Code)
	}
	if r.Detail != "" {
		dst = append(dst, `,"detail":`...)
		dst = appendString(dst, r.Detail)
	}
	return append(dst, '}')
}

func appendChecks(dst []byte, cs []api.Check) []byte {
	if cs == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, c := range cs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"name":`...)
		dst = appendString(dst, c.Name)
		dst = append(dst, `,"status":`...)
		dst = appendString(dst, c.Status)
		if c.Code != "" {
			dst = append(dst, `,"code":`...)
			dst = appendString(dst, c.Code)
		}
		if len(c.Params) > 0 {
			dst = append(dst, `,"params":{`...)
			var buf [8]string
			for j, k := range sortedKeys(buf[:0], c.Params) { // encoding/json sorts map keys
				if j > 0 {
					dst = append(dst, ',')
				}
				dst = appendString(dst, k)
				dst = append(dst, ':')
				dst = appendString(dst, c.Params[k])
			}
			dst = append(dst, '}')
		}
		if c.Detail != "" {
			dst = append(dst, `,"detail":`...)
			dst = appendString(dst, c.Detail)
		}
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

// sortedKeys appends the keys of m to dst, sorted as encoding/json sorts
// a map's keys (by their bytes). A check has one to four parameters: an
// insertion sort into the caller's stack array spares the allocations and
// iterator of slices.Sorted(maps.Keys(m)), which were half the cost of
// encoding a full result.
func sortedKeys(dst []string, m map[string]string) []string {
	for k := range m {
		i := len(dst)
		dst = append(dst, k)
		for ; i > 0 && dst[i-1] > k; i-- {
			dst[i] = dst[i-1]
		}
		dst[i] = k
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string (RFC 8259 §7) the way
// encoding/json does without HTML escaping: '"', '\\' and control
// characters escaped (\b \f \n \r \t by name), invalid UTF-8 as U+FFFD,
// U+2028 and U+2029 escaped (JSONP safety, as encoding/json always does).
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = strictjson.AppendEscape(dst, b)
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
