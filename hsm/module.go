//go:build cgo

package hsm

import (
	"crypto/rand"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/miekg/pkcs11"

	"github.com/weidgo/weid/keys"
)

// PKCS#11 3.0 names miekg/pkcs11 v1.1.2 does not define (PKCS#11 v3.0
// §2.3.6, §6.3.5).
const (
	ckkECEdwards           = 0x00000040 // CKK_EC_EDWARDS
	ckmECEdwardsKeyPairGen = 0x00001055 // CKM_EC_EDWARDS_KEY_PAIR_GEN
	ckmEdDSA               = 0x00001057 // CKM_EDDSA
)

// Curve parameters (CKA_EC_PARAMS): the DER of the curve's OID.
var (
	paramsP256      = mustDER(asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7})
	paramsSecp256k1 = mustDER(asn1.ObjectIdentifier{1, 3, 132, 0, 10})
	paramsEd25519   = mustDER(asn1.ObjectIdentifier{1, 3, 101, 112})
	// Modules written before RFC 8410's OID name the curve with a
	// PrintableString (PKCS#11 3.0 §2.3.6 allows both).
	paramsEd25519Name = mustDER("edwards25519")
)

func mustDER(v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// Module is an open PKCS#11 token, logged in as the user. Its methods are
// safe for concurrent use; signatures run in parallel on up to
// Config.MaxSessions sessions.
type Module struct {
	lib   *library
	slot  uint
	token string
	pin   string

	mu      sync.RWMutex // held for reading by every call into the module; Close takes it to write
	closed  bool
	idle    chan pkcs11.SessionHandle
	slots   chan struct{} // one per session that may be open
	signers sync.Map      // id (string) → *signer, so a key is looked up once
}

// library is a loaded PKCS#11 library. C_Initialize may run once per
// process and library, so Modules on one library share it.
type library struct {
	path string
	ctx  *pkcs11.Ctx
	refs int
}

var (
	libsMu sync.Mutex
	libs   = map[string]*library{}
)

func loadLibrary(path string) (*library, error) {
	libsMu.Lock()
	defer libsMu.Unlock()
	if l := libs[path]; l != nil {
		l.refs++
		return l, nil
	}
	ctx := pkcs11.New(path)
	if ctx == nil {
		return nil, fmt.Errorf("%w: %s is not a PKCS#11 module (it does not load, or has no C_GetFunctionList)", ErrConfig, path)
	}
	if err := ctx.Initialize(); err != nil && !errors.Is(err, pkcs11.Error(pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED)) {
		ctx.Destroy()
		return nil, fmt.Errorf("%w: initialize %s: %v", ErrConfig, path, err)
	}
	l := &library{path: path, ctx: ctx, refs: 1}
	libs[path] = l
	return l, nil
}

func (l *library) release() error {
	libsMu.Lock()
	defer libsMu.Unlock()
	if l.refs--; l.refs > 0 {
		return nil
	}
	delete(libs, l.path)
	err := l.ctx.Finalize()
	l.ctx.Destroy()
	if errors.Is(err, pkcs11.Error(pkcs11.CKR_CRYPTOKI_NOT_INITIALIZED)) {
		err = nil
	}
	return err
}

// Open loads cfg.Module, finds the token labelled cfg.Token (and serial
// cfg.Serial, if given) and logs in with the user PIN. Every failure says
// which step failed: the library does not load, no such token, wrong PIN.
func Open(cfg Config) (*Module, error) {
	if cfg.Module == "" || cfg.Token == "" {
		return nil, fmt.Errorf("%w: give the module (--pkcs11-module, or module-path in the URI) and the token label (--pkcs11-token, or token= in the URI)", ErrConfig)
	}
	pin, err := cfg.pin()
	if err != nil {
		return nil, err
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = 8
	}
	lib, err := loadLibrary(cfg.Module)
	if err != nil {
		return nil, err
	}
	slot, err := findToken(lib.ctx, cfg)
	if err != nil {
		lib.release()
		return nil, err
	}
	m := &Module{lib: lib, slot: slot, token: cfg.Token, pin: pin,
		idle: make(chan pkcs11.SessionHandle, cfg.MaxSessions), slots: make(chan struct{}, cfg.MaxSessions)}
	// One session now, so that a wrong PIN is found at start.
	sh, err := m.openSession()
	if err != nil {
		lib.release()
		return nil, err
	}
	m.release(sh)
	return m, nil
}

func findToken(ctx *pkcs11.Ctx, cfg Config) (uint, error) {
	slots, err := ctx.GetSlotList(true)
	if err != nil {
		return 0, fmt.Errorf("%w: list the module's slots: %v", ErrConfig, err)
	}
	var found []uint
	var labels []string
	for _, s := range slots {
		ti, err := ctx.GetTokenInfo(s)
		if err != nil {
			continue
		}
		label := strings.TrimRight(ti.Label, " \x00")
		serial := strings.TrimRight(ti.SerialNumber, " \x00")
		if ti.Flags&pkcs11.CKF_TOKEN_INITIALIZED != 0 {
			labels = append(labels, tokenName(label, serial, cfg.Serial != ""))
		}
		if label == cfg.Token && (cfg.Serial == "" || serial == cfg.Serial) {
			found = append(found, s)
		}
	}
	switch len(found) {
	case 0:
		return 0, fmt.Errorf("%w: no token labelled %s in %s (tokens: %s)", ErrConfig, tokenName(cfg.Token, cfg.Serial, cfg.Serial != ""), cfg.Module, strings.Join(labels, ", "))
	case 1:
		return found[0], nil
	}
	return 0, fmt.Errorf("%w: %d tokens are labelled %q; add the token's serial", ErrConfig, len(found), cfg.Token)
}

// tokenName is a token's label, quoted, and with its serial (RFC 7512
// "serial") when a serial was asked for: without it, a label that matches
// under a serial that does not reads as no mismatch at all.
func tokenName(label, serial string, withSerial bool) string {
	if !withSerial {
		return strconv.Quote(label)
	}
	return fmt.Sprintf("%q with serial %q", label, serial)
}

// openSession opens a read-write session and logs in (the login is the
// application's: it holds for every session while one is open).
func (m *Module) openSession() (pkcs11.SessionHandle, error) {
	select {
	case m.slots <- struct{}{}:
	case <-time.After(30 * time.Second):
		return 0, unavailable(errors.New("no session free for 30 s"))
	}
	ctx := m.lib.ctx
	sh, err := ctx.OpenSession(m.slot, pkcs11.CKF_SERIAL_SESSION|pkcs11.CKF_RW_SESSION)
	if err != nil {
		<-m.slots
		return 0, unavailable(fmt.Errorf("open a session on token %q: %w", m.token, err))
	}
	if err := ctx.Login(sh, pkcs11.CKU_USER, m.pin); err != nil && !errors.Is(err, pkcs11.Error(pkcs11.CKR_USER_ALREADY_LOGGED_IN)) {
		ctx.CloseSession(sh)
		<-m.slots
		if isPINError(err) {
			return 0, fmt.Errorf("%w: log in to token %q: wrong PIN (%v)", ErrConfig, m.token, err)
		}
		return 0, unavailable(fmt.Errorf("log in to token %q: %w", m.token, err))
	}
	return sh, nil
}

func isPINError(err error) bool {
	var e pkcs11.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e {
	case pkcs11.CKR_PIN_INCORRECT, pkcs11.CKR_PIN_INVALID, pkcs11.CKR_PIN_LEN_RANGE, pkcs11.CKR_PIN_LOCKED, pkcs11.CKR_PIN_EXPIRED:
		return true
	}
	return false
}

func (m *Module) session() (pkcs11.SessionHandle, error) {
	select {
	case sh := <-m.idle:
		return sh, nil
	default:
		return m.openSession()
	}
}

func (m *Module) release(sh pkcs11.SessionHandle) { m.idle <- sh }

func (m *Module) discard(sh pkcs11.SessionHandle) {
	_ = m.lib.ctx.CloseSession(sh)
	<-m.slots
}

// sessionGone reports errors after which the session is of no more use
// but a new one may work: the session or the login was lost (the token
// was removed and put back, another application closed all sessions).
func sessionGone(err error) bool {
	var e pkcs11.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e {
	case pkcs11.CKR_SESSION_HANDLE_INVALID, pkcs11.CKR_SESSION_CLOSED, pkcs11.CKR_USER_NOT_LOGGED_IN,
		pkcs11.CKR_DEVICE_REMOVED, pkcs11.CKR_TOKEN_NOT_PRESENT, pkcs11.CKR_DEVICE_ERROR:
		return true
	}
	return false
}

// do runs fn on a session, once more on a fresh session if the first was
// lost. Failures of the module are 503 keys.unavailable.
func (m *Module) do(fn func(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle) error) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return unavailable(errors.New("the PKCS#11 module is closed"))
	}
	for try := 0; ; try++ {
		sh, err := m.session()
		if err != nil {
			return err
		}
		err = fn(m.lib.ctx, sh)
		if err != nil && sessionGone(err) {
			// The others are most likely gone too (the login is shared).
			m.discard(sh)
			m.discardIdle()
			if try == 0 {
				continue
			}
			return unavailable(fmt.Errorf("token %q: %w", m.token, err))
		}
		m.release(sh)
		return err
	}
}

// Close logs out, closes the sessions and, with the last Module on the
// library, finalizes it. Keys from this Module fail afterwards (503).
func (m *Module) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	m.closed = true
	m.discardIdle()
	return m.lib.release()
}

func (m *Module) discardIdle() {
	for {
		select {
		case sh := <-m.idle:
			m.discard(sh)
		default:
			return
		}
	}
}

// Token returns the label of the token.
func (m *Module) Token() string { return m.token }

// Generate creates a key pair of type t inside the token: token objects
// (CKA_TOKEN), the private key sensitive and never extractable, labelled
// label with a random 16-byte CKA_ID. The key signs through the token.
func (m *Module) Generate(t keys.Type, label string) (*keys.PrivateKey, error) {
	mech, params, err := mechanismFor(t)
	if err != nil {
		return nil, err
	}
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return nil, err
	}
	var point []byte
	err = m.do(func(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle) error {
		gen := func(params []byte) (pkcs11.ObjectHandle, error) {
			pub, _, err := ctx.GenerateKeyPair(sh, []*pkcs11.Mechanism{pkcs11.NewMechanism(mech, nil)},
				publicTemplate(t, params, label, id, nil), privateTemplate(t, params, label, id, nil))
			return pub, err
		}
		pub, err := gen(params)
		if err != nil && t == keys.Ed25519 && badParams(err) {
			pub, err = gen(paramsEd25519Name)
		}
		if err != nil {
			return err
		}
		point, err = ecPoint(ctx, sh, pub)
		return err
	})
	if err != nil {
		return nil, m.keyError("generate a "+string(t)+" key", t, err)
	}
	pk, err := publicKey(t, point)
	if err != nil {
		return nil, err
	}
	return m.key(objectRef{token: m.token, label: label, id: id}, pk)
}

// Import creates k in the token as a sensitive, never extractable private
// key object with its public key object (C_CreateObject), and returns the
// key that signs through the token. The caller should forget k. (The
// token marks the object CKA_LOCAL false: it was not generated inside.)
func (m *Module) Import(k *keys.PrivateKey, label string) (*keys.PrivateKey, error) {
	seed, err := k.ExportSeed()
	if err != nil {
		return nil, err
	}
	_, params, err := mechanismFor(k.Type())
	if err != nil {
		return nil, err
	}
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return nil, err
	}
	point := k.Public().Uncompressed()
	if k.Type() != keys.Ed25519 {
		point = append([]byte{4}, point...)
	}
	der, _ := asn1.Marshal(point)
	err = m.do(func(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle) error {
		create := func(params []byte) error {
			priv, err := ctx.CreateObject(sh, privateTemplate(k.Type(), params, label, id, seed))
			if err != nil {
				return err
			}
			if _, err := ctx.CreateObject(sh, publicTemplate(k.Type(), params, label, id, der)); err != nil {
				_ = ctx.DestroyObject(sh, priv)
				return err
			}
			return nil
		}
		err := create(params)
		if err != nil && k.Type() == keys.Ed25519 && badParams(err) {
			err = create(paramsEd25519Name)
		}
		return err
	})
	if err != nil {
		return nil, m.keyError("import a "+string(k.Type())+" key", k.Type(), err)
	}
	return m.key(objectRef{token: m.token, label: label, id: id}, k.Public())
}

// keyError says why a key could not be made: the token has no such
// curve or mechanism (keys.ErrUnsupportedKeyType), or the module failed
// (503 keys.unavailable).
func (m *Module) keyError(what string, t keys.Type, err error) error {
	if IsUnavailable(err) {
		return err
	}
	var e pkcs11.Error
	if badParams(err) || errors.As(err, &e) && (e == pkcs11.CKR_MECHANISM_INVALID || e == pkcs11.CKR_KEY_TYPE_INCONSISTENT) {
		return fmt.Errorf("%w: token %q cannot hold %s keys (%v)", keys.ErrUnsupportedKeyType, m.token, t, err)
	}
	return unavailable(fmt.Errorf("%s in token %q: %w", what, m.token, err))
}

func badParams(err error) bool {
	var e pkcs11.Error
	return errors.As(err, &e) && (e == pkcs11.CKR_ATTRIBUTE_VALUE_INVALID || e == pkcs11.CKR_CURVE_NOT_SUPPORTED || e == pkcs11.CKR_DOMAIN_PARAMS_INVALID || e == pkcs11.CKR_TEMPLATE_INCONSISTENT)
}

func mechanismFor(t keys.Type) (uint, []byte, error) {
	switch t {
	case keys.Ed25519:
		return ckmECEdwardsKeyPairGen, paramsEd25519, nil
	case keys.P256:
		return pkcs11.CKM_EC_KEY_PAIR_GEN, paramsP256, nil
	case keys.Secp256k1:
		return pkcs11.CKM_EC_KEY_PAIR_GEN, paramsSecp256k1, nil
	}
	// SM2: PKCS#11 defines no SM2 mechanism (vendors use CKM_VENDOR_DEFINED
	// ones); SoftHSM2 has none.
	return 0, nil, fmt.Errorf("%w %q in a PKCS#11 token (Ed25519, P-256 or secp256k1)", keys.ErrUnsupportedKeyType, t)
}

func keyType(t keys.Type) uint {
	if t == keys.Ed25519 {
		return ckkECEdwards
	}
	return pkcs11.CKK_EC
}

// publicTemplate is the public key object's template; point (the DER
// CKA_EC_POINT) only when creating it.
func publicTemplate(t keys.Type, params []byte, label string, id, point []byte) []*pkcs11.Attribute {
	return keyTemplate(pkcs11.CKO_PUBLIC_KEY, t, label, id, creating(point != nil, pkcs11.CKA_EC_POINT, point),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, false),
		pkcs11.NewAttribute(pkcs11.CKA_VERIFY, true),
		pkcs11.NewAttribute(pkcs11.CKA_EC_PARAMS, params))
}

// privateTemplate is the private key object's template: a token object,
// private, sensitive, never extractable, for signing only; value (the
// secret) only when importing.
func privateTemplate(t keys.Type, params []byte, label string, id, value []byte) []*pkcs11.Attribute {
	created := creating(value != nil, pkcs11.CKA_VALUE, value)
	if created != nil {
		created = append(created, pkcs11.NewAttribute(pkcs11.CKA_EC_PARAMS, params))
	}
	return keyTemplate(pkcs11.CKO_PRIVATE_KEY, t, label, id, created,
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, true),
		pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, true),
		pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, false),
		pkcs11.NewAttribute(pkcs11.CKA_SIGN, true),
		pkcs11.NewAttribute(pkcs11.CKA_DERIVE, false))
}

// creating is the key material attribute typ = v when the object is
// created from it (C_CreateObject), nil when the token generates the key.
func creating(create bool, typ uint, v []byte) []*pkcs11.Attribute {
	if !create {
		return nil
	}
	return []*pkcs11.Attribute{pkcs11.NewAttribute(typ, v)}
}

// keyTemplate is a token key object's template: attrs, label and id; and
// when it is created rather than generated (created not nil), its class
// and key type (which C_GenerateKeyPair takes from its mechanism) and
// created, the key material.
func keyTemplate(class uint, t keys.Type, label string, id []byte, created []*pkcs11.Attribute, attrs ...*pkcs11.Attribute) []*pkcs11.Attribute {
	a := append([]*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true)}, attrs...)
	a = append(a, pkcs11.NewAttribute(pkcs11.CKA_LABEL, label), pkcs11.NewAttribute(pkcs11.CKA_ID, id))
	if created != nil {
		a = append(a, pkcs11.NewAttribute(pkcs11.CKA_CLASS, class), pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, keyType(t)))
		a = append(a, created...)
	}
	return a
}

// ecPoint reads CKA_EC_POINT: a DER OCTET STRING around the point (PKCS#11
// §2.3.3), or the bare point from modules that skip the wrapping.
func ecPoint(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle, obj pkcs11.ObjectHandle) ([]byte, error) {
	attrs, err := ctx.GetAttributeValue(sh, obj, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_EC_POINT, nil)})
	if err != nil {
		return nil, err
	}
	raw := attrs[0].Value
	var inner []byte
	if rest, err := asn1.Unmarshal(raw, &inner); err == nil && len(rest) == 0 && (len(inner) == 32 || len(inner) == 65) {
		return inner, nil
	}
	return raw, nil
}

func publicKey(t keys.Type, point []byte) (keys.PublicKey, error) {
	pk, err := keys.NewPublicKey(t, point)
	if err != nil {
		return keys.PublicKey{}, fmt.Errorf("the token's public key: %w", err)
	}
	return pk, nil
}

// Key finds the key the object URI ref names (as URI returns it, or written
// by hand with id= or object=) and returns it signing through the token;
// want, if not zero, is the public key the caller recorded, checked
// against the token's.
func (m *Module) Key(ref string, want keys.PublicKey) (*keys.PrivateKey, error) {
	r, err := parseObjectRef(ref)
	if err != nil {
		return nil, err
	}
	if r.token != "" && r.token != m.token {
		return nil, fmt.Errorf("%w: the key is in token %q; this node opened %q", ErrConfig, r.token, m.token)
	}
	var t keys.Type
	var point []byte
	err = m.do(func(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle) error {
		pub, err := findObject(ctx, sh, pkcs11.CKO_PUBLIC_KEY, r)
		if err != nil {
			return err
		}
		attrs, err := ctx.GetAttributeValue(sh, pub, []*pkcs11.Attribute{
			pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, nil), pkcs11.NewAttribute(pkcs11.CKA_EC_PARAMS, nil), pkcs11.NewAttribute(pkcs11.CKA_ID, nil)})
		if err != nil {
			return err
		}
		if t, err = typeOf(attrs[0].Value, attrs[1].Value); err != nil {
			return err
		}
		r.id = attrs[2].Value
		point, err = ecPoint(ctx, sh, pub)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find key %s: %w", ref, err)
	}
	pk, err := publicKey(t, point)
	if err != nil {
		return nil, err
	}
	if !want.IsZero() && !want.Equal(pk) {
		return nil, fmt.Errorf("%w: the token's key %s is not the key recorded for it", ErrConfig, ref)
	}
	return m.key(r, pk)
}

// ErrNoObject reports a key the token does not hold.
var ErrNoObject = errors.New("no such key in the token")

func findObject(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle, class uint, r objectRef) (pkcs11.ObjectHandle, error) {
	tmpl := []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_CLASS, class)}
	if len(r.id) > 0 {
		tmpl = append(tmpl, pkcs11.NewAttribute(pkcs11.CKA_ID, r.id))
	} else {
		tmpl = append(tmpl, pkcs11.NewAttribute(pkcs11.CKA_LABEL, r.label))
	}
	if err := ctx.FindObjectsInit(sh, tmpl); err != nil {
		return 0, err
	}
	objs, _, err := ctx.FindObjects(sh, 2)
	if ferr := ctx.FindObjectsFinal(sh); err == nil {
		err = ferr
	}
	switch {
	case err != nil:
		return 0, err
	case len(objs) == 0:
		return 0, fmt.Errorf("%w (%s)", ErrNoObject, r)
	case len(objs) > 1:
		return 0, fmt.Errorf("%w: several objects match %s", ErrConfig, r)
	}
	return objs[0], nil
}

func typeOf(kt, params []byte) (keys.Type, error) {
	var k uint64
	switch len(kt) { // a CK_ULONG in the machine's byte order
	case 8:
		k = binary.NativeEndian.Uint64(kt)
	case 4:
		k = uint64(binary.NativeEndian.Uint32(kt))
	}
	switch {
	case k == ckkECEdwards:
		return keys.Ed25519, nil
	case k == pkcs11.CKK_EC && string(params) == string(paramsP256):
		return keys.P256, nil
	case k == pkcs11.CKK_EC && string(params) == string(paramsSecp256k1):
		return keys.Secp256k1, nil
	}
	return "", fmt.Errorf("%w: the token's key is of a type weid does not sign with (key type 0x%x)", keys.ErrUnsupportedKeyType, k)
}

// Destroy deletes the key ref names (both objects) from the token: for a
// key made for a transaction that was refused.
func (m *Module) Destroy(ref string) error {
	r, err := parseObjectRef(ref)
	if err != nil {
		return err
	}
	m.signers.Delete(string(r.id))
	return m.do(func(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle) error {
		for _, class := range []uint{pkcs11.CKO_PRIVATE_KEY, pkcs11.CKO_PUBLIC_KEY} {
			obj, err := findObject(ctx, sh, class, r)
			if errors.Is(err, ErrNoObject) {
				continue
			}
			if err != nil {
				return err
			}
			if err := ctx.DestroyObject(sh, obj); err != nil {
				return err
			}
		}
		return nil
	})
}

// key returns the weid key signing with the token's object r.
func (m *Module) key(r objectRef, pk keys.PublicKey) (*keys.PrivateKey, error) {
	s, _ := m.signers.LoadOrStore(string(r.id), &signer{m: m, ref: r, typ: pk.Type})
	return keys.NewExternalKey(pk, s.(*signer))
}

// signer is keys.ExternalSigner for one private key object.
type signer struct {
	m   *Module
	ref objectRef
	typ keys.Type

	mu     sync.Mutex
	handle pkcs11.ObjectHandle // 0 until found; found again after a lost session
}

// URI returns the RFC 7512 URI of the private key object.
func (s *signer) URI() string { return s.ref.String() }

// SignRaw implements keys.ExternalSigner: CKM_EDDSA over the message for
// Ed25519 (PKCS#11 3.0 §2.3.14, no parameters: pure Ed25519), CKM_ECDSA
// over the digest keys hands it for ECDSA, giving r‖s (PKCS#11 §2.3.1).
func (s *signer) SignRaw(in []byte) ([]byte, error) {
	mech := uint(pkcs11.CKM_ECDSA)
	if s.typ == keys.Ed25519 {
		mech = ckmEdDSA
	}
	var sig []byte
	err := s.m.do(func(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle) error {
		for try := 0; ; try++ {
			h, err := s.object(ctx, sh, try > 0)
			if err != nil {
				return err
			}
			if err = ctx.SignInit(sh, []*pkcs11.Mechanism{pkcs11.NewMechanism(mech, nil)}, h); err == nil {
				sig, err = ctx.Sign(sh, in)
				return err
			}
			var e pkcs11.Error
			if try == 0 && errors.As(err, &e) && (e == pkcs11.CKR_KEY_HANDLE_INVALID || e == pkcs11.CKR_OBJECT_HANDLE_INVALID) {
				continue // the handle changed (the token was reinserted): find the key again
			}
			return err
		}
	})
	if err != nil {
		if _, ok := asUnavailable(err); ok {
			return nil, err
		}
		return nil, unavailable(fmt.Errorf("sign with %s: %w", s.ref, err))
	}
	return sig, nil
}

func (s *signer) object(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle, again bool) (pkcs11.ObjectHandle, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.handle != 0 && !again {
		return s.handle, nil
	}
	h, err := findObject(ctx, sh, pkcs11.CKO_PRIVATE_KEY, s.ref)
	if err != nil {
		return 0, err
	}
	s.handle = h
	return h, nil
}

// URI returns the RFC 7512 URI of the token object behind k, if a Module
// made k.
func URI(k *keys.PrivateKey) (string, bool) {
	if s, ok := k.External().(*signer); ok {
		return s.URI(), true
	}
	return "", false
}
