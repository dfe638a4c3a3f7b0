package evidence

import (
	"errors"
	"net/http"
	"time"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/did/weid"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
)

// Register adds the evidence transaction types to reg. Their signers are
// resolved by the registry's key resolver (weid.Register sets it).
func Register(reg *chain.Registry) {
	reg.Register(chain.Handler{
		Type:       TxCreate,
		PreVerify:  PreVerify,
		NewPayload: func() chain.Payload { return new(CreatePayload) },
		Apply: func(ctx *chain.Context, p chain.Payload) error {
			c := p.(*CreatePayload)
			return applyCreate(ctx, c.Hash, c.Signer, c.Signature, c.Logs, c.Extras, c.Key, c.pre)
		},
	})
	reg.Register(chain.Handler{
		Type:       TxSign,
		PreVerify:  PreVerify,
		NewPayload: func() chain.Payload { return new(SignPayload) },
		Apply: func(ctx *chain.Context, p chain.Payload) error {
			s := p.(*SignPayload)
			return applySign(ctx, s.Hash, s.Signer, s.Signature, s.Logs, s.pre)
		},
	})
	for _, typ := range []string{TxRevoke, TxRestore} {
		revoke := typ == TxRevoke
		reg.Register(chain.Handler{
			Type:       typ,
			NewPayload: func() chain.Payload { return new(RevokePayload) },
			Authorize:  authorizeOwnSignature,
			Apply: func(ctx *chain.Context, p chain.Payload) error {
				return applyRevoke(ctx, p.(*RevokePayload), revoke)
			},
		})
	}
	reg.Register(chain.Handler{
		Type:       TxLog,
		NewPayload: func() chain.Payload { return new(LogPayload) },
		Apply: func(ctx *chain.Context, p chain.Payload) error {
			lp := p.(*LogPayload)
			r, err := mustRecord(ctx.State, lp.Hash)
			if err != nil {
				return err
			}
			var sg Signature
			if ok, err := chain.GetJSON(ctx.State, sigKey(lp.Hash, ctx.Tx.SignerDID()), &sg); err != nil {
				return err
			} else if !ok || sg.Revoked {
				return errs.New(http.StatusForbidden, "evidence.notSigner", "%s has no valid signature on %s; only its signers append logs", ctx.Tx.SignerDID(), lp.Hash)
			}
			return appendLogs(ctx, r, lp.Logs)
		},
	})
	reg.Register(chain.Handler{
		Type:       TxBatch,
		PreVerify:  PreVerify,
		NewPayload: func() chain.Payload { return new(BatchPayload) },
		Apply: func(ctx *chain.Context, p chain.Payload) error {
			// All or nothing: the ledger applies a transaction in a child
			// overlay and drops it if Apply fails.
			for i := range p.(*BatchPayload).Items {
				it := &p.(*BatchPayload).Items[i]
				var err error
				if it.Op == OpCreate {
					err = applyCreate(ctx, it.Hash, it.Signer, it.Signature, it.Logs, it.Extras, it.Key, it.pre)
				} else {
					err = applySign(ctx, it.Hash, it.Signer, it.Signature, it.Logs, it.pre)
				}
				if err != nil {
					return itemErr(i, err)
				}
			}
			return nil
		},
	})
}

// AssertionKey resolves the verification method didURL to its public key,
// if it is in the assertionMethod relationship of its did:weid DID's
// current, active document in st.
func AssertionKey(st chain.Reader, didURL string) (keys.PublicKey, error) {
	if err := validSigner(didURL); err != nil {
		return keys.PublicKey{}, err
	}
	pk, err := weid.RelationshipKey(st, didURL, "assertionMethod", "signer")
	if errors.Is(err, weid.ErrNotInRelationship) {
		u, _ := did.ParseDIDURL(didURL)
		return keys.PublicKey{}, errs.New(http.StatusForbidden, "evidence.notAssertionMethod", "%s is not an assertionMethod key of %s", didURL, u.DID)
	}
	return pk, err
}

// verifySignature checks an evidence signature against the signer's
// assertion key in st. pre is the key PreVerify checked it with, if any:
// when the key is still the same, the signature is not checked again.
func verifySignature(st chain.Reader, hash, signer, signature string, pre keys.PublicKey) error {
	k, err := AssertionKey(st, signer)
	if err != nil {
		return err
	}
	if !pre.IsZero() && pre.Equal(k) {
		return nil
	}
	sig, err := decodeSignature(signature)
	if err != nil {
		return err
	}
	if !k.Verify(Message(signer, hash), sig) {
		return errs.BadRequest("evidence.badSignature", "the signature does not verify with %s over %q", signer, MessagePrefix+signer+":"+hash)
	}
	return nil
}

// PreVerify checks the evidence signatures of payload p (a create, sign or
// batch payload; others are ignored) against the committed state st and
// remembers the keys that verified them, so that the block only checks the
// keys are unchanged. It is the evidence types' chain.Handler.PreVerify,
// which chain.Registry.PreVerify runs in the submitting goroutine; failures
// are left for the block to report (the state may change first).
func PreVerify(st chain.Reader, p chain.Payload) {
	check := func(hash, signer, signature string) keys.PublicKey {
		k, err := AssertionKey(st, signer)
		if err != nil {
			return keys.PublicKey{}
		}
		sig, err := decodeSignature(signature)
		if err != nil || !k.Verify(Message(signer, hash), sig) {
			return keys.PublicKey{}
		}
		return k
	}
	switch p := p.(type) {
	case *CreatePayload:
		p.pre = check(p.Hash, p.Signer, p.Signature)
	case *SignPayload:
		p.pre = check(p.Hash, p.Signer, p.Signature)
	case *BatchPayload:
		for i := range p.Items {
			it := &p.Items[i]
			it.pre = check(it.Hash, it.Signer, it.Signature)
		}
	}
}

func blockTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func signerDID(signer string) string {
	u, _ := did.ParseDIDURL(signer)
	return u.DID
}

func applyCreate(ctx *chain.Context, hash, signer, signature string, logs []string, extras map[string]string, key string, pre keys.PublicKey) error {
	st := ctx.State
	if _, ok, err := st.Get(recordKey(hash)); err != nil {
		return err
	} else if ok {
		return errs.New(http.StatusConflict, "evidence.exists", "the hash %s is already recorded", hash)
	}
	if key != "" {
		if other, ok, err := HashForKey(st, key); err != nil {
			return err
		} else if ok {
			return errs.New(http.StatusConflict, "evidence.keyTaken", "the key %q already names evidence %s", key, other)
		}
	}
	if err := verifySignature(st, hash, signer, signature, pre); err != nil {
		return err
	}
	r := &Record{Hash: hash, Key: key, Extras: extras, Creator: ctx.Tx.SignerDID(), Created: blockTime(ctx.Time),
		Height: ctx.Height, TxHash: ctx.TxHash}
	if key != "" {
		st.Set(customKey(key), []byte(hash))
	}
	if err := addSignature(ctx, r, signer, signature); err != nil {
		return err
	}
	return appendLogs(ctx, r, logs)
}

func applySign(ctx *chain.Context, hash, signer, signature string, logs []string, pre keys.PublicKey) error {
	st := ctx.State
	r, err := mustRecord(st, hash)
	if err != nil {
		return err
	}
	d := signerDID(signer)
	if _, ok, err := st.Get(sigKey(hash, d)); err != nil {
		return err
	} else if ok {
		return errs.New(http.StatusConflict, "evidence.alreadySigned", "%s has already signed %s (restore a revoked signature with evidence.restore)", d, hash)
	}
	if r.SignatureCount >= MaxSigners {
		return errs.New(http.StatusConflict, "evidence.full", "evidence %s has the most signatures it may have (%d)", hash, MaxSigners)
	}
	if err := verifySignature(st, hash, signer, signature, pre); err != nil {
		return err
	}
	if err := addSignature(ctx, r, signer, signature); err != nil {
		return err
	}
	return appendLogs(ctx, r, logs)
}

// addSignature records a verified signature and counts it in r (which the
// caller stores, through appendLogs).
func addSignature(ctx *chain.Context, r *Record, signer, signature string) error {
	sg := Signature{DID: signerDID(signer), Method: signer, Signature: signature, Seq: r.SignatureCount,
		Submitter: ctx.Tx.SignerDID(), Signed: blockTime(ctx.Time), Height: ctx.Height, TxHash: ctx.TxHash}
	r.SignatureCount++
	return ctx.State.SetJSON(sigKey(r.Hash, sg.DID), sg)
}

// appendLogs adds logs to r's evidence, attributed to the transaction's
// signer, and stores r.
func appendLogs(ctx *chain.Context, r *Record, logs []string) error {
	if r.LogCount+len(logs) > MaxLogs {
		return errs.New(http.StatusConflict, "evidence.full", "evidence %s has %d log lines; at most %d are kept", r.Hash, r.LogCount, MaxLogs)
	}
	for _, text := range logs {
		l := Log{Seq: r.LogCount, Text: text, By: ctx.Tx.SignerDID(), Time: blockTime(ctx.Time), Height: ctx.Height, TxHash: ctx.TxHash}
		if err := ctx.State.SetJSON(logKey(r.Hash, l.Seq), l); err != nil {
			return err
		}
		r.LogCount++
	}
	return ctx.State.SetJSON(recordKey(r.Hash), r)
}

// authorizeOwnSignature lets a DID revoke or restore only its own signature.
func authorizeOwnSignature(_ chain.Reader, tx *chain.Tx, p chain.Payload) error {
	if d := p.(*RevokePayload).DID; d != tx.SignerDID() {
		return errs.New(http.StatusForbidden, "evidence.notSigner", "%s may not change the signature of %s: a signer revokes and restores only its own", tx.SignerDID(), d)
	}
	return nil
}

func applyRevoke(ctx *chain.Context, p *RevokePayload, revoke bool) error {
	r, err := mustRecord(ctx.State, p.Hash)
	if err != nil {
		return err
	}
	var sg Signature
	key := sigKey(p.Hash, p.DID)
	if ok, err := chain.GetJSON(ctx.State, key, &sg); err != nil {
		return err
	} else if !ok {
		return errs.New(http.StatusNotFound, "evidence.signatureNotFound", "%s has not signed %s", p.DID, p.Hash)
	}
	action := "restore"
	if revoke {
		action = "revoke"
	}
	switch {
	case revoke && sg.Revoked:
		return errs.New(http.StatusConflict, "evidence.alreadyRevoked", "the signature of %s on %s is already revoked", p.DID, p.Hash)
	case !revoke && !sg.Revoked:
		return errs.New(http.StatusConflict, "evidence.notRevoked", "the signature of %s on %s is not revoked", p.DID, p.Hash)
	case len(sg.Changes) >= MaxChanges:
		return errs.New(http.StatusConflict, "evidence.full", "the signature of %s on %s was revoked and restored %d times, the most kept", p.DID, p.Hash, MaxChanges)
	}
	sg.Revoked = revoke
	sg.Changes = append(sg.Changes, Change{Action: action, Time: blockTime(ctx.Time), Height: ctx.Height, TxHash: ctx.TxHash})
	if err := ctx.State.SetJSON(key, sg); err != nil {
		return err
	}
	if len(p.Logs) == 0 {
		return nil
	}
	return appendLogs(ctx, r, p.Logs)
}
