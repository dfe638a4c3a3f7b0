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
	s, err := deflate(bits, func(w io.Writer) io.WriteCloser { return gzip.NewWriter(w) })
	if err != nil {
		return "", err
	}
	return "u" + s, nil
}

// deflate returns bits compressed by the writer open makes at the default
// level (GZIP for an encodedList, ZLIB for a Status List Token's "lst"),
// in base64url without padding (RFC 4648 §5).
func deflate(bits []byte, open func(io.Writer) io.WriteCloser) (string, error) {
	var buf bytes.Buffer
	zw := open(&buf)
	if _, err := zw.Write(bits); err != nil {
		return "", fmt.Errorf("compress status list: %w", err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("compress status list: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(buf.Bytes()), nil
}

// expand decodes text, base64url without padding or line breaks (RFC 4648
// §5), and decompresses it with open, reading no more than MaxDecodedBytes:
// an encodedList is GZIP (Bitstring Status List §3.2 "Expand"), a Status
// List Token's "lst" ZLIB (draft-ietf-oauth-status-list §4.1). invalid
// makes the error of text that is not that encoding, naming the input as
// the caller does; a list that expands to more is a status.listTooLarge
// naming it as what.
func expand(text, format string, open func(io.Reader) (io.Reader, error), invalid func(string, ...any) error, what string) ([]byte, error) {
	if strings.ContainsAny(text, "\r\n=") {
		return nil, invalid("must be base64url without padding or line breaks")
	}
	z, err := base64.RawURLEncoding.Strict().DecodeString(text)
	if err != nil {
		return nil, invalid("is not base64url: %v", err)
	}
	zr, err := open(bytes.NewReader(z))
	if err != nil {
		return nil, invalid("is not %s: %v", format, err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, MaxDecodedBytes+1))
	if err != nil {
		return nil, invalid("is a corrupt %s stream: %v", format, err)
	}
	if len(out) > MaxDecodedBytes {
		return nil, errs.BadRequest("status.listTooLarge", "%s expands to more than %d bytes", what, MaxDecodedBytes)
	}
	return out, nil
}

func gzipReader(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }

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
	out, err := expand(encoded[1:], "GZIP", gzipReader, func(format string, args ...any) error {
		return errs.BadRequest("status.invalidEncodedList", "encodedList "+format, args...)
	}, "encodedList")
	if err != nil {
		return nil, err
	}
	if len(out) < MinDecodedBytes {
		return nil, errs.BadRequest("status.listTooShort", "the bitstring has %d bytes; a status list has at least %d", len(out), MinDecodedBytes)
	}
	return out, nil
}
