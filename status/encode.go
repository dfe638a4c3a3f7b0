package status

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"io"
	"strings"

	"github.com/weidgo/weid/errs"
)

// Limits of DecodeList.
const (
	// MaxDecodedBytes is the largest bitstring DecodeList expands: 16 MiB
	// (2^27 entries). A larger one is refused, whatever its compressed size,
	// so a gzip bomb costs at most this much memory.
	MaxDecodedBytes = 16 << 20
	// MinDecodedBytes is the smallest bitstring DecodeList accepts: the
	// specification's 16 KiB minimum (§3.2 step 9 raises
	// STATUS_LIST_LENGTH_ERROR below it).
	MinDecodedBytes = MinSize / 8
	// maxEncodedChars bounds the encoded text: base64 of a gzip stream
	// that stores MaxDecodedBytes uncompressed, with room for headers.
	maxEncodedChars = (MaxDecodedBytes+MaxDecodedBytes/1000+1024)*4/3 + 4
)

// EncodeList returns the encodedList of bitstring bits (§3.1): the
// multibase base64url encoding without padding (prefix "u") of its GZIP
// compression. Index 0 is the most significant bit of bits[0]. The output
// is deterministic: the same bits give the same text with this Go release.
// It uses the default compression level: on a sparse 1 MiB list the best
// level is some 70 times slower for a few bytes less.
func EncodeList(bits []byte) (string, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	if err != nil {
		return "", err
	}
	if _, err := zw.Write(bits); err != nil {
		return "", fmt.Errorf("compress status list: %w", err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("compress status list: %w", err)
	}
	return "u" + base64.RawURLEncoding.EncodeToString(buf.Bytes()), nil
}

func invalidEncoding(format string, args ...any) error {
	return errs.BadRequest("status.invalidEncodedList", "encodedList: "+format, args...)
}

// DecodeList decodes an encodedList, of a weid list or any other issuer's
// (§3.2 "Expand": multibase base64url without padding, then GZIP), and
// returns the bitstring. It refuses, with a 400 *errs.Error, text that is
// not exactly that encoding (another multibase prefix, padding, line
// breaks, non-canonical trailing bits), a bitstring shorter than
// MinDecodedBytes (code status.listTooShort) and one that expands to more
// than MaxDecodedBytes (code status.listTooLarge), reading no more than
// that. Concatenated GZIP members are one stream, as RFC 1952 allows.
func DecodeList(encoded string) ([]byte, error) {
	if len(encoded) > maxEncodedChars {
		return nil, errs.BadRequest("status.listTooLarge", "encodedList is longer than %d characters", maxEncodedChars)
	}
	if !strings.HasPrefix(encoded, "u") {
		return nil, invalidEncoding("must be multibase base64url (prefix \"u\")")
	}
	body := encoded[1:]
	if strings.ContainsAny(body, "\r\n=") {
		return nil, invalidEncoding("must be base64url without padding or line breaks")
	}
	z, err := base64.RawURLEncoding.Strict().DecodeString(body)
	if err != nil {
		return nil, invalidEncoding("not base64url: %v", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil, invalidEncoding("not GZIP: %v", err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, MaxDecodedBytes+1))
	if err != nil {
		return nil, invalidEncoding("corrupt GZIP stream: %v", err)
	}
	if len(out) > MaxDecodedBytes {
		return nil, errs.BadRequest("status.listTooLarge", "encodedList expands to more than %d bytes", MaxDecodedBytes)
	}
	if len(out) < MinDecodedBytes {
		return nil, errs.BadRequest("status.listTooShort", "the bitstring has %d bytes; a status list has at least %d", len(out), MinDecodedBytes)
	}
	return out, nil
}
