//go:build cgo

package hsm

import "github.com/miekg/pkcs11"

// PrivateAttributes returns CKA_TOKEN, CKA_SENSITIVE, CKA_EXTRACTABLE and
// CKA_PRIVATE of the private key object ref names.
func (m *Module) PrivateAttributes(ref string) (token, sensitive, extractable, private bool, err error) {
	r, err := parseObjectRef(ref)
	if err != nil {
		return
	}
	err = m.do(func(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle) error {
		obj, err := findObject(ctx, sh, pkcs11.CKO_PRIVATE_KEY, r)
		if err != nil {
			return err
		}
		attrs, err := ctx.GetAttributeValue(sh, obj, []*pkcs11.Attribute{
			pkcs11.NewAttribute(pkcs11.CKA_TOKEN, nil), pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, nil),
			pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, nil), pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, nil)})
		if err != nil {
			return err
		}
		b := func(i int) bool { return len(attrs[i].Value) == 1 && attrs[i].Value[0] == 1 }
		token, sensitive, extractable, private = b(0), b(1), b(2), b(3)
		return nil
	})
	return
}

// CloseAllSessions closes every session of the module's slot, as another
// application or a token reset would.
func (m *Module) CloseAllSessions() error { return m.lib.ctx.CloseAllSessions(m.slot) }

// FinalizeLibrary finalizes the PKCS#11 library under the module's feet,
// as a module that went away.
func (m *Module) FinalizeLibrary() error { return m.lib.ctx.Finalize() }
