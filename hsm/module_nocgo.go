//go:build !cgo

package hsm

import (
	"errors"
	"fmt"

	"github.com/weidgo/weid/keys"
)

// errNoCgo is what every operation says in a build without cgo, which
// cannot load a PKCS#11 library.
var errNoCgo = fmt.Errorf("%w: this weid was built without cgo and cannot load PKCS#11 modules", ErrConfig)

// ErrNoObject reports a key the token does not hold.
var ErrNoObject = errors.New("no such key in the token")

// Module is an open PKCS#11 token; without cgo none can be opened.
type Module struct{}

// Open fails: PKCS#11 needs cgo.
func Open(Config) (*Module, error) { return nil, errNoCgo }

// Close does nothing.
func (m *Module) Close() error { return nil }

// Token returns "".
func (m *Module) Token() string { return "" }

// Generate fails: PKCS#11 needs cgo.
func (m *Module) Generate(keys.Type, string) (*keys.PrivateKey, error) { return nil, errNoCgo }

// Import fails: PKCS#11 needs cgo.
func (m *Module) Import(*keys.PrivateKey, string) (*keys.PrivateKey, error) { return nil, errNoCgo }

// Key fails: PKCS#11 needs cgo.
func (m *Module) Key(string, keys.PublicKey) (*keys.PrivateKey, error) { return nil, errNoCgo }

// Destroy fails: PKCS#11 needs cgo.
func (m *Module) Destroy(string) error { return errNoCgo }

// URI reports that no key comes from a module in this build.
func URI(*keys.PrivateKey) (string, bool) { return "", false }
