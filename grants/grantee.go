package grants

import (
	"strings"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did/weid"
	"github.com/weidgo/weid/errs"
)

// GranteeOnLedger refuses (400 grant.unknownGrantee) the grant p records
// when its grantee is a did:weid that st does not have: most likely a typo,
// which would otherwise be recorded for good. It is a node's check of the
// grants its write endpoints are asked to record, not a rule of the ledger:
// a block may record a grant to a did:weid that is created later, and every
// node must keep applying such blocks. Grantees of other methods (did:key,
// did:jwk, did:web) are not checked: their documents are not on the ledger;
// nor is a did:weid of a chain other than chainID, the ledger's.
func (p *RecordPayload) GranteeOnLedger(st chain.Reader, chainID string) error {
	s, err := p.signed()
	if err != nil {
		return err
	}
	if !strings.HasPrefix(s.Grantee, "did:weid:"+chainID+":") {
		return nil
	}
	if _, ok, err := weid.Latest(st, s.Grantee); err != nil || ok {
		return err
	}
	return errs.BadRequest("grant.unknownGrantee", "grantee %s is not on this ledger: check the DID, or create it first", s.Grantee)
}
