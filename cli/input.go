package cli

// Files the CLI reads whole and sends to the node (a credential, a grant,
// a schema, a key file): read through one bound, so that a file the node
// would refuse anyway (413) is refused here, named, before it is read
// whole into memory and sent.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/server"
)

// maxInput bounds a file read with readFile: no request body the node
// takes is larger.
const maxInput = server.MaxBodyBytes

// readFile reads the file name whole ("-" is stdin), refusing one larger
// than maxInput: "big.jwt is larger than 1 MiB (the node takes at most
// 1 MiB in a request)".
func readFile(name string) ([]byte, error) {
	r := io.Reader(os.Stdin)
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(b) > maxInput {
		if name == "-" {
			name = "stdin"
		}
		return nil, fmt.Errorf("%s is larger than %d MiB (the node takes at most %d MiB in a request)", name, maxInput>>20, maxInput>>20)
	}
	return b, nil
}

// readJSON reads the file name as readFile does and refuses one that is
// not JSON, naming it.
func readJSON(name string) ([]byte, error) {
	b, err := readFile(name)
	if err != nil {
		return nil, err
	}
	if !json.Valid(b) {
		return nil, fmt.Errorf("%s is not JSON", name)
	}
	return b, nil
}

// checkCompact refuses s, read from the file name, unless it looks like a
// compact JWT or SD-JWT (three dot-separated parts, no spaces): a file that
// is JSON but no credential object, or text of another kind, is named as
// such rather than as a malformed JWS.
func checkCompact(name, s string) error {
	if strings.Count(s, ".") >= 2 && !strings.ContainsAny(s, " \t\r\n{}[]\"") {
		return nil
	}
	what := "text"
	switch t := strings.TrimSpace(s); {
	case t == "":
		what = "nothing"
	case t[0] == '[':
		what = "a JSON array"
	case t == "null" || t == "true" || t == "false":
		what = "the JSON literal " + t
	case strings.ContainsAny(t[:1], "-0123456789"):
		what = "a number"
	case t[0] == '{':
		what = "JSON that is not valid"
	}
	return fmt.Errorf("%s is neither a JSON credential nor a JWT/SD-JWT (it holds %s)", name, what)
}

// lacksIssuer reports whether raw is a JSON object without an "issuer"
// member (one that is present, even null, is the node's to judge).
func lacksIssuer(raw []byte) bool {
	var doc map[string]json.RawMessage
	if json.Unmarshal(raw, &doc) != nil || doc == nil {
		return false
	}
	_, ok := doc["issuer"]
	return !ok
}

// inputError is the node's refusal (4xx) of what a command read from the
// file name: oneLine says it after the file's name.
type inputError struct {
	name string
	err  error
}

func (e *inputError) Error() string { return e.name + ": " + e.err.Error() }
func (e *inputError) Unwrap() error { return e.err }

// inputRefused is err as an inputError when it is the node's 4xx problem,
// and err unchanged otherwise (the node unreachable, a 5xx).
func inputRefused(name string, err error) error {
	var ce *client.Error
	if errors.As(err, &ce) && ce.Status/100 == 4 {
		return &inputError{name: name, err: err}
	}
	return err
}
