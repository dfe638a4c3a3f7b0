package txn

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// The types below embed structs in each way encoding/json distinguishes.

type signedPair struct { // unexported, embedded: its fields are promoted
	Tx     json.RawMessage `json:"tx,omitempty"`
	Signer string          `json:"signer,omitempty"`
}

type Profile struct {
	Format string   `json:"format,omitempty"`
	Types  []string `json:"types,omitempty"`
	Name   string   `json:"name"` // shadowed by embedding types' own "name"
}

type Pointed struct {
	Hash string `json:"hash"`
	Logs []string
}

type Label string

type tagged struct {
	X int `json:"X"` // named by its tag: wins over Untagged.X
	Z int
}

type Untagged struct {
	X string
	Z string // untagged too, at tagged.Z's depth: neither is used
}

type Leaf struct {
	Deep string
}

// YOne and YTwo both tag a field "y": embedded side by side (twoY), neither
// is used.
type YOne struct {
	Y int `json:"y"`
}

type YTwo struct {
	Y string `json:"y"`
}

// twoY is built at run time: go vet rightly flags a declaration whose
// embedded structs repeat a JSON tag at one depth.
var twoY = reflect.StructOf([]reflect.StructField{
	{Name: "YOne", Type: reflect.TypeFor[YOne](), Anonymous: true},
	{Name: "YTwo", Type: reflect.TypeFor[YTwo](), Anonymous: true},
	{Name: "W", Type: reflect.TypeFor[string](), Tag: `json:"w"`},
})

type viaOne struct{ Leaf }

type viaTwo struct{ Leaf }

// embedAll embeds a value, a pointer, a named embedding, an embedded
// non-struct and the same struct twice at one depth.
type embedAll struct {
	signedPair
	Profile
	*Pointed
	Named Leaf `json:"named"` // an embedded struct with a JSON name is a member
	Label      // exported non-struct: a member named for its type
	tagged
	Untagged
	viaOne
	viaTwo
	Name    int    `json:"name"`
	Dash    string `json:"-,"`
	Skipped string `json:"-"`
	hidden  string
}

// deeper shadows embedAll's promoted "format" and nests it one level down.
type deeper struct {
	embedAll
	Format int `json:"format"`
}

func TestStructFields_EmbeddedStructs(t *testing.T) {
	t.Parallel()
	stringType := reflect.TypeFor[string]()
	for _, tc := range []struct {
		name  string
		typ   reflect.Type
		want  []string
		types map[string]reflect.Type // the Go type of some members
	}{{
		name: "flat",
		typ:  reflect.TypeFor[Tx](),
		want: []string{"chainId", "from", "nonce", "payload", "signature", "type", "validUntil"},
	}, {
		name: "embedded",
		typ:  reflect.TypeFor[embedAll](),
		want: []string{"-", "Label", "Logs", "X", "format", "hash", "name", "named", "signer", "tx", "types"},
		types: map[string]reflect.Type{
			"name":  reflect.TypeFor[int](),  // the shallowest wins
			"X":     reflect.TypeFor[int](),  // then the tagged one
			"named": reflect.TypeFor[Leaf](), // an ordinary member
			"hash":  stringType,              // through the pointer
			"tx":    rawMessageType,
		},
	}, {
		name: "ambiguous tags",
		typ:  twoY,
		want: []string{"w"},
	}, {
		name:  "deeper",
		typ:   reflect.TypeFor[deeper](),
		want:  []string{"-", "Label", "Logs", "X", "format", "hash", "name", "named", "signer", "tx", "types"},
		types: map[string]reflect.Type{"format": reflect.TypeFor[int](), "name": reflect.TypeFor[int]()},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got := structFields(tc.typ)
			if names := sortedKeys(got); !slices.Equal(names, tc.want) {
				t.Errorf("members %q, want %q", names, tc.want)
			}
			for name, want := range tc.types {
				if got[name] != want {
					t.Errorf("%q is a %v, want %v", name, got[name], want)
				}
			}
		})
	}
}

// TestDecodeStrict_EmbeddedStructs: promoted members decode; an ambiguous
// name is refused as unknown, by DisallowUnknownFields and by checkMembers
// alike: encoding/json ignores it, so accepting it would drop it without a
// word.
func TestDecodeStrict_EmbeddedStructs(t *testing.T) {
	t.Parallel()
	var v embedAll
	in := `{"tx":{"a":1},"signer":"did:x","format":"f","hash":"h","Logs":["l"],"named":{"Deep":"d"},"name":3,"X":4,"Label":"b"}`
	if err := DecodeStrict([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	if string(v.Tx) != `{"a":1}` || v.Signer != "did:x" || v.Format != "f" || v.Pointed == nil || v.Hash != "h" || v.Named.Deep != "d" || v.Name != 3 || v.tagged.X != 4 || v.Label != "b" {
		t.Errorf("decoded %+v", v)
	}
	for in, want := range map[string]string{
		`{"Z":1}`:                `unknown member "Z"`,
		`{"Deep":"d"}`:           `unknown member "Deep"`,
		`{"Signer":"did:x"}`:     `unknown member "Signer"`,
		`{"tx":{},"tx":{}}`:      `member "tx" appears twice`,
		`{"named":{"deep":"d"}}`: `unknown member "deep" in named`,
	} {
		if err := checkMembers([]byte(in), reflect.TypeFor[embedAll]()); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("checkMembers %s: %v, want %q", in, err, want)
		}
		if err := DecodeStrict([]byte(in), new(embedAll)); err == nil {
			t.Errorf("DecodeStrict %s: accepted", in)
		}
	}
	y := reflect.New(twoY).Interface()
	if err := checkMembers([]byte(`{"y":1}`), twoY); err == nil || !strings.Contains(err.Error(), `unknown member "y"`) {
		t.Errorf(`checkMembers {"y":1}: %v, want unknown member "y"`, err)
	}
	if err := DecodeStrict([]byte(`{"y":1}`), y); err == nil {
		t.Error(`DecodeStrict {"y":1}: accepted`)
	}
}

// TestStructFields_AsEncodingJSON: the members structFields accepts are
// exactly those encoding/json writes for a value with every field set.
func TestStructFields_AsEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, typ := range []reflect.Type{
		reflect.TypeFor[Tx](), reflect.TypeFor[embedAll](), reflect.TypeFor[deeper](),
		reflect.TypeFor[Profile](), reflect.TypeFor[viaOne](), twoY,
		reflect.TypeFor[struct {
			*Pointed
			Pointed2 *Pointed `json:",omitempty"`
		}](),
	} {
		v := reflect.New(typ).Elem()
		fillAll(v)
		b, err := json.Marshal(v.Interface())
		if err != nil {
			t.Fatalf("%v: %v", typ, err)
		}
		var members map[string]json.RawMessage
		if err := json.Unmarshal(b, &members); err != nil {
			t.Fatal(err)
		}
		if got, want := sortedKeys(structFields(typ)), sortedKeys(members); !slices.Equal(got, want) {
			t.Errorf("%v: structFields gives %q, encoding/json writes %q", typ, got, want)
		}
	}
}

// fillAll sets every field v can set to a value that is not empty.
func fillAll(v reflect.Value) {
	switch {
	case v.Type() == rawMessageType:
		v.SetBytes([]byte(`{}`))
	case v.Kind() == reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			fillAll(v.Field(i))
		}
	case !v.CanSet():
	case v.Kind() == reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillAll(v.Elem())
	case v.Kind() == reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fillAll(v.Index(0))
	case v.Kind() == reflect.String:
		v.SetString("s")
	case v.CanInt():
		v.SetInt(1)
	case v.CanUint():
		v.SetUint(1)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
