package authz

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
)

// FuzzParseValidatorKey: any input either fails with a 400 or yields 32
// bytes that every accepted spelling of them parses back to.
func FuzzParseValidatorKey(f *testing.F) {
	f.Add("q3vNYMi0y7vYk2pQe3n0mN6iC2xJw4vW5Zq0a1b2c3d=")
	f.Add(hex.EncodeToString(make([]byte, 32)))
	f.Add("AAAA")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseValidatorKey(s)
		if err != nil {
			return
		}
		if len(b) != 32 {
			t.Fatalf("%q parsed to %d bytes", s, len(b))
		}
		for _, enc := range []string{base64.StdEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b), hex.EncodeToString(b)} {
			if b2, err := ParseValidatorKey(enc); err != nil || !bytes.Equal(b, b2) {
				t.Fatalf("%q: %v", enc, err)
			}
		}
	})
}

// FuzzRequestedPower: any value is a power from 1 to MaxValidatorPower
// that JSON reads as the same integer, or a 400 gov.invalidPower naming
// the range; nothing is the default but an absent power.
func FuzzRequestedPower(f *testing.F) {
	for _, s := range []string{"", "0", "1", "10", "1000000", "1000001", "-1", "1e20", "1e3", "1.5", `"10"`, "null", "9223372036854775808", " 7 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := RequestedPower(json.RawMessage(s))
		if err != nil {
			if errs.Code(err) != "gov.invalidPower" || !strings.Contains(err.Error(), "from 1 to 1000000") {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if s == "" {
			if p != api.DefaultValidatorPower {
				t.Fatalf("absent: %d", p)
			}
			return
		}
		var n int64
		if p < 1 || p > MaxValidatorPower || json.Unmarshal([]byte(s), &n) != nil || n != p {
			t.Fatalf("%q: power %d (JSON reads %d)", s, p, n)
		}
	})
}

// FuzzRulesPayloads: any bytes as the payload of gov.scheduleRules,
// gov.cancelRules or gov.setValidatorNode are refused with a 400 (strict
// decoding, then Validate) or give a payload within the rules the ledger
// relies on: a version of at least 2, a height of at least 1, a 32-byte
// validator key and a node id of 40 lowercase hex digits.
func FuzzRulesPayloads(f *testing.F) {
	for _, s := range []string{`{"version":2,"height":100}`, `{"version":1,"height":0}`, `{"version":18446744073709551615,"height":1}`, `{"version":-1}`, `{"version":2}`,
		`{"pubKey":"q3vNYMi0y7vYk2pQe3n0mN6iC2xJw4vW5Zq0a1b2c3d=","nodeId":"0123456789abcdef0123456789abcdef01234567"}`, `{"version":2,"version":3}`, `null`, `[]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, p := range []interface{ Validate() error }{new(ScheduleRulesPayload), new(CancelRulesPayload), new(SetValidatorNodePayload)} {
			err := chain.DecodeStrict(b, p)
			if err == nil {
				err = p.Validate()
			}
			if err != nil {
				if e, ok := errs.As(err); ok && e.Status != 400 {
					t.Fatalf("%T %q: %v", p, b, err)
				}
				continue
			}
			switch p := p.(type) {
			case *ScheduleRulesPayload:
				if p.Version < 2 || p.Height < 1 {
					t.Fatalf("%q: %+v", b, p)
				}
			case *CancelRulesPayload:
				if p.Version < 2 {
					t.Fatalf("%q: %+v", b, p)
				}
			case *SetValidatorNodePayload:
				if k, err := ParseValidatorKey(p.PubKey); err != nil || len(k) != 32 || validNodeID(p.NodeID) != nil {
					t.Fatalf("%q: %+v", b, p)
				}
			}
		}
	})
}

// FuzzAboutPath: any path segment as the version, key, DID or node id an
// endpoint's path names, with signed payloads about the same record or
// another, is read as a whole number from 2 or a 400 (ParseRulesVersion),
// and the path check answers nil or a 400, never panics; a payload about
// the path's own record passes.
func FuzzAboutPath(f *testing.F) {
	for _, s := range []string{"2", "3", "0", "1", "-1", "18446744073709551616", "x", "", "q3vNYMi0y7vYk2pQe3n0mN6iC2xJw4vW5Zq0a1b2c3d=", "did:weid:1:0x00", "0123456789abcdef0123456789abcdef01234567"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		v, err := ParseRulesVersion(path)
		if err != nil {
			if e, ok := errs.As(err); !ok || e.Status != 400 {
				t.Fatalf("%q: %v", path, err)
			}
		} else if v < 2 {
			t.Fatalf("%q: version %d", path, v)
		}
		check := AboutPath(path)
		for _, p := range []chain.Payload{&MemberPayload{DID: path}, &DerecognizePayload{DID: "other"}, &RemoveValidatorPayload{PubKey: path},
			&SetValidatorNodePayload{PubKey: "AAAA"}, &RemoveObserverPayload{NodeID: path}, &CancelRulesPayload{Version: v}} {
			err := check(p)
			if e, ok := errs.As(err); err != nil && (!ok || e.Status != 400) {
				t.Fatalf("%q %T: %v", path, p, err)
			}
			switch p.(type) {
			case *MemberPayload, *RemoveObserverPayload:
				if err != nil {
					t.Fatalf("%q %T about the path's record: %v", path, p, err)
				}
			case *RemoveValidatorPayload:
				if _, perr := ParseValidatorKey(path); (perr == nil) != (err == nil) {
					t.Fatalf("%q: the path's own key: %v", path, err)
				}
			case *CancelRulesPayload:
				if (v >= 2) != (err == nil) {
					t.Fatalf("%q: the path's own version: %v", path, err)
				}
			}
		}
	})
}
