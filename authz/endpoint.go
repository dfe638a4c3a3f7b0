package authz

import (
	"bytes"
	"strconv"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
)

// AboutPath returns the check that a signed governance transaction sent to
// an endpoint whose path names one record — a committee member's or
// issuer's DID, a validator's key (in any of its spellings), an observer's
// node id, a scheduled version of the rules — is about that record: 400
// tx.wrongEndpoint naming both otherwise, or the path's own error (a key
// or version that cannot be read). It is a check of the HTTP boundary
// (node.Write.Check), not of the ledger: a transaction sent to POST
// /v1/txs is not held to it.
func AboutPath(path string) func(chain.Payload) error {
	return func(p chain.Payload) error {
		switch p := p.(type) {
		case *MemberPayload:
			return sameDID(p.DID, path)
		case *DerecognizePayload:
			return sameDID(p.DID, path)
		case *RemoveValidatorPayload:
			return sameValidator(p.PubKey, path, "removes")
		case *SetValidatorNodePayload:
			return sameValidator(p.PubKey, path, "sets the node id of")
		case *RemoveObserverPayload:
			if p.NodeID != path {
				return errs.BadRequest("tx.wrongEndpoint", "the transaction removes observer %q, the path names %s", p.NodeID, path)
			}
		case *CancelRulesPayload:
			v, err := ParseRulesVersion(path)
			if err == nil && p.Version != v {
				err = errs.BadRequest("tx.wrongEndpoint", "the transaction cancels rules v%d, the path names v%d", p.Version, v)
			}
			return err
		}
		return nil
	}
}

func sameDID(d, path string) error {
	if d != path {
		return errs.BadRequest("tx.wrongEndpoint", "the transaction changes %s, the path names %s", d, path)
	}
	return nil
}

// sameValidator checks that key, the transaction's, is the path's.
func sameValidator(key, path, does string) error {
	pub, err := ParseValidatorKey(path)
	if err != nil {
		return err
	}
	if got, err := ParseValidatorKey(key); err != nil || !bytes.Equal(got, pub) {
		return errs.BadRequest("tx.wrongEndpoint", "the transaction %s validator %q, the path names %s", does, key, path)
	}
	return nil
}

// ParseRulesVersion reads a version of the ledger's rules as a path names
// it (DELETE /v1/rules/{version}): a whole number, 2 or more (every chain
// starts at 1 or later, so no change is to 1). 400 gov.invalidRules
// otherwise.
func ParseRulesVersion(s string) (uint64, error) {
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v < 2 {
		return 0, errs.BadRequest("gov.invalidRules", "the version in the path is a version of the ledger's rules: a whole number, 2 or more; got %q", s)
	}
	return v, nil
}
