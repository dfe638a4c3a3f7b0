package txn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The decoders of request bodies, for the HTTP boundary. They are not used
// on committed transactions and payloads (DecodeStrict is, and stays as
// it is): what a body may say is the API's rule, not the ledger's. Both
// refuse a body null and a body that is not UTF-8 (RFC 8259 §8.1):
// encoding/json reads invalid bytes as U+FFFD, so "a\xff" and "a\xfe"
// would be one member name to it and two to the check of repeated
// members, which compares the bytes sent.

// DecodeBody decodes a request body b, one JSON value, into v as
// DecodeStrict does, and refuses a body that is not UTF-8 and a body null,
// which encoding/json takes as leaving v as it is: a caller's null must
// not stand for {}.
func DecodeBody(b []byte, v any) error {
	if err := CheckBody(b, v); err != nil {
		return err
	}
	return DecodeStrict(b, v)
}

// DecodeLenient decodes a request body b, one JSON value, into v as
// json.Unmarshal does, ignoring members v has no field for (W3C VCALM asks
// servers to ignore option keys they do not know; a credential is
// free-form), but refusing a body that is not UTF-8, a body null and a
// member named twice in any object at any depth, with DecodeStrict's
// errors: JSON's words, not Go's.
func DecodeLenient(b []byte, v any) error {
	// A nil type: any member is known, only repeated ones are refused.
	return decodeLenient(b, v, &memberScanner{b: b}, nil)
}

// DecodeLenientItems is DecodeLenient for a body whose json.RawMessage
// members are items each read on its own — a batch's credentials: a
// member named twice inside one of them is left to its reader, which
// refuses that item alone, not the whole request. Everything else in b
// is checked as DecodeLenient checks it.
func DecodeLenientItems(b []byte, v any) error {
	return decodeLenient(b, v, &memberScanner{b: b, lenient: true, rawUnchecked: true}, reflect.TypeOf(v))
}

// decodeLenient is DecodeLenient and DecodeLenientItems: CheckBody, then
// json.Unmarshal into v, then sc's check of b's members against type t.
func decodeLenient(b []byte, v any, sc *memberScanner, t reflect.Type) error {
	if err := CheckBody(b, v); err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return errors.New(jsonErr(err))
	}
	return sc.value(t, "")
}

// CheckUnique refuses JSON b, which encoding/json has accepted, in which
// an object at any depth names a member twice: encoding/json keeps the
// last, another reader the first, and two readers must not see two
// different messages. The error names the member and where it is. It is
// DecodeLenient's check, for a caller that decodes b itself (OpenID4VP's
// messages, decoded with json.Number).
func CheckUnique(b []byte) error { return checkMembers(b, nil) }

// JSONError rewrites an error of encoding/json in its caller's words, as
// DecodeStrict's errors are: "format must be a string, not JSON number",
// not "cannot unmarshal number into Go struct field …".
func JSONError(err error) error {
	if err == nil {
		return nil
	}
	return errors.New(jsonErr(err))
}

// CheckBody refuses a request body b when it is not UTF-8, or is the JSON
// literal null (within JSON's whitespace), naming the JSON type v decodes
// from: the checks DecodeBody and DecodeLenient make first, for a body
// decoded otherwise (POST /v1/txs, by DecodeTx).
func CheckBody(b []byte, v any) error {
	if !utf8.Valid(b) {
		return errors.New("not valid UTF-8: JSON is UTF-8 text (RFC 8259 §8.1)")
	}
	if string(bytes.Trim(b, " \t\r\n")) != "null" {
		return nil
	}
	what := "a JSON value"
	if t := reflect.TypeOf(v); t != nil {
		what = jsonTypeOf(t)
	}
	return errors.New("value must be " + what + ", not JSON null")
}

// CheckTxAlone refuses a request body b, a JSON object, that carries a
// signed transaction ("tx") beside other members: the transaction's
// payload says what the write is, so they would be ignored — a signed
// write's body is {"tx": {…}} alone. A body that is no object, or has no
// "tx", is left to the body's decoder.
func CheckTxAlone(b []byte) error {
	var members map[string]json.RawMessage
	if json.Unmarshal(b, &members) != nil {
		return nil
	}
	if _, ok := members["tx"]; !ok || len(members) == 1 {
		return nil
	}
	delete(members, "tx")
	var names []string
	for _, n := range slices.Sorted(maps.Keys(members)) {
		names = append(names, strconv.Quote(n))
	}
	return fmt.Errorf("a signed transaction (\"tx\") comes alone: its payload says what to write, so %s would be ignored; send {\"tx\": …} only", strings.Join(names, ", "))
}
