package events

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/evidence"
	"github.com/weidgo/weid/grants"
	"github.com/weidgo/weid/schemas"
	"github.com/weidgo/weid/status"
)

// Derive returns the events of block b in cursor order: those of each
// transaction, then block.committed. st is committed state at or after b
// (the ledger): Derive reads from it only records that never change once
// written (a schema's id and version by transaction, a status list's
// purpose, a grant's parties), so the events of a block are the same
// whenever and wherever they are derived. txHash hashes a transaction as
// the chain does (chain.Suite.TxHash).
func Derive(b *chain.Block, st chain.Reader, txHash func(*chain.Tx) string) ([]api.Event, error) {
	var out []api.Event
	for i, tx := range b.Txs {
		h := txHash(tx)
		evs, err := txEvents(tx, h, st)
		if err != nil {
			return nil, fmt.Errorf("events of transaction %s (block %d): %w", h, b.Header.Height, err)
		}
		for j := range evs {
			e := &evs[j]
			e.TxHash, e.Signer = h, tx.From
			stamp(e, b, Cursor{b.Header.Height, uint32(i), uint32(j)})
		}
		out = append(out, evs...)
	}
	e := api.Event{Type: api.EventBlockCommitted, BlockHash: b.Hash, TxCount: uint32(len(b.Txs))}
	stamp(&e, b, Cursor{b.Header.Height, uint32(len(b.Txs)), 0})
	return append(out, e), nil
}

// stamp sets what every event of block b has: cursor, id, height, time.
func stamp(e *api.Event, b *chain.Block, c Cursor) {
	e.Cursor = c.String()
	e.ID = EventID(b.Hash, c)
	e.Height = b.Header.Height
	e.Time = b.Header.Time
}

// EventID is the stable id of the event at c in the block whose hash is
// blockHash: the first 16 bytes of SHA-256("weid/event/v1" ‖ block hash ‖
// cursor), in hex. Nodes build byte-identical blocks, so every node gives
// an event the same id; the block hash makes it unique across chains.
func EventID(blockHash string, c Cursor) string {
	s := sha256.Sum256([]byte("weid/event/v1\x00" + blockHash + "\x00" + c.String()))
	return "evt_" + hex.EncodeToString(s[:16])
}

// txEvents returns the events of one committed transaction, without
// their cursor, id and block fields. A type weid does not know (yet)
// yields none.
func txEvents(tx *chain.Tx, hash string, st chain.Reader) ([]api.Event, error) {
	signer := tx.SignerDID()
	switch tx.Type {
	case chain.TypeChainInit:
		return one(api.Event{Type: api.EventChainInitialized, DID: signer}), nil
	case did.TxCreate, did.TxAddMethod, did.TxRemoveMethod, did.TxAddService, did.TxRemoveService,
		did.TxRotateKey, did.TxReportCompromised, did.TxDeactivate:
		return didEvents(tx)
	case authz.TxAddCommittee, authz.TxRemoveCommittee, authz.TxRecognize, authz.TxDerecognize,
		authz.TxAddValidator, authz.TxRemoveValidator, authz.TxAddObserver, authz.TxRemoveObserver:
		return governanceEvents(tx)
	case authz.TxSetValidatorNode, authz.TxScheduleRules, authz.TxCancelRules:
		return rulesEvents(tx)
	case schemas.TxRegister, schemas.TxUpdate:
		return schemaEvents(tx, hash, st)
	case status.TxCreate, status.TxUpdate:
		return statusEvents(tx, hash, st)
	case grants.TxRecord, grants.TxRevoke, grants.TxAccess:
		return grantEvents(tx, st)
	case evidence.TxCreate, evidence.TxSign, evidence.TxRevoke, evidence.TxRestore, evidence.TxLog, api.TxEvidenceBatch:
		return evidenceEvents(tx)
	}
	return nil, nil
}

func one(e api.Event) []api.Event { return []api.Event{e} }

// oneEvent is the one event f makes of tx's payload.
func oneEvent[T any](tx *chain.Tx, f func(*T) api.Event) ([]api.Event, error) {
	p, err := decode[T](tx)
	if err != nil {
		return nil, err
	}
	return one(f(p)), nil
}

// decode reads a committed transaction's payload, which the ledger
// checked strictly when it accepted it.
func decode[T any](tx *chain.Tx) (*T, error) {
	var p T
	if err := json.Unmarshal(tx.Payload, &p); err != nil {
		return nil, fmt.Errorf("decode %s payload: %w", tx.Type, err)
	}
	return &p, nil
}

func didEvents(tx *chain.Tx) ([]api.Event, error) {
	switch tx.Type {
	case did.TxCreate:
		return oneEvent(tx, func(p *did.CreatePayload) api.Event {
			return api.Event{Type: api.EventDIDCreated, DID: p.DID, Method: p.DID + "#" + did.FirstKeyFragment, PublicKeyMultibase: p.PublicKeyMultibase}
		})
	case did.TxAddMethod:
		return oneEvent(tx, func(p *did.AddMethodPayload) api.Event {
			return api.Event{Type: api.EventDIDUpdated, Change: "addVerificationMethod", DID: p.DID, Method: p.DID + "#" + p.ID, PublicKeyMultibase: p.PublicKeyMultibase}
		})
	case did.TxRemoveMethod:
		p, err := decode[did.RemoveMethodPayload](tx)
		if err != nil {
			return nil, err
		}
		return keyRetired(api.Event{Type: api.EventDIDUpdated, Change: "removeVerificationMethod", DID: p.DID, Method: p.DID + "#" + p.ID}, p.Compromised), nil
	case did.TxAddService:
		return oneEvent(tx, func(p *did.AddServicePayload) api.Event {
			return api.Event{Type: api.EventDIDUpdated, Change: "addService", DID: p.DID, Service: p.Service.ID}
		})
	case did.TxRemoveService:
		return oneEvent(tx, func(p *did.RemoveServicePayload) api.Event {
			return api.Event{Type: api.EventDIDUpdated, Change: "removeService", DID: p.DID, Service: p.ID}
		})
	case did.TxRotateKey:
		p, err := decode[did.RotateKeyPayload](tx)
		if err != nil {
			return nil, err
		}
		return keyRetired(api.Event{Type: api.EventDIDKeyRotated, DID: p.DID, Method: p.DID + "#" + p.ID, NewMethod: p.DID + "#" + p.NewID, PublicKeyMultibase: p.PublicKeyMultibase}, p.Compromised), nil
	case did.TxReportCompromised:
		return oneEvent(tx, func(p *did.ReportCompromisedPayload) api.Event {
			return api.Event{Type: api.EventDIDKeyCompromised, DID: p.DID, PublicKeyMultibase: p.PublicKeyMultibase}
		})
	default: // did.TxDeactivate
		return oneEvent(tx, func(p *did.DeactivatePayload) api.Event {
			return api.Event{Type: api.EventDIDDeactivated, DID: p.DID}
		})
	}
}

// keyRetired is the events of a transaction that takes the key e.Method of
// e.DID out of use (removes or rotates it): e, then, when the transaction
// declares the key compromised, the event that says so.
func keyRetired(e api.Event, compromised bool) []api.Event {
	out := one(e)
	if compromised {
		out = append(out, api.Event{Type: api.EventDIDKeyCompromised, DID: e.DID, Method: e.Method})
	}
	return out
}

func governanceEvents(tx *chain.Tx) ([]api.Event, error) {
	switch tx.Type {
	case authz.TxAddCommittee, authz.TxRemoveCommittee, authz.TxDerecognize:
		p, err := decode[authz.MemberPayload](tx) // DerecognizePayload has the same one member
		if err != nil {
			return nil, err
		}
		typ := map[string]string{authz.TxAddCommittee: api.EventCommitteeMemberAdded, authz.TxRemoveCommittee: api.EventCommitteeMemberRemoved,
			authz.TxDerecognize: api.EventIssuerDerecognized}[tx.Type]
		return one(api.Event{Type: typ, DID: p.DID}), nil
	case authz.TxRecognize:
		return oneEvent(tx, func(p *authz.RecognizePayload) api.Event {
			return api.Event{Type: api.EventIssuerRecognized, DID: p.DID}
		})
	case authz.TxAddValidator:
		return oneEvent(tx, func(p *authz.AddValidatorPayload) api.Event {
			return api.Event{Type: api.EventValidatorAdded, Node: p.PubKey, Power: p.Power}
		})
	case authz.TxRemoveValidator:
		return oneEvent(tx, func(p *authz.RemoveValidatorPayload) api.Event {
			return api.Event{Type: api.EventValidatorRemoved, Node: p.PubKey}
		})
	case authz.TxAddObserver:
		return oneEvent(tx, func(p *authz.AddObserverPayload) api.Event {
			return api.Event{Type: api.EventObserverAdded, Node: p.NodeID, DID: p.MemberDID}
		})
	default: // authz.TxRemoveObserver
		return oneEvent(tx, func(p *authz.RemoveObserverPayload) api.Event {
			return api.Event{Type: api.EventObserverRemoved, Node: p.NodeID}
		})
	}
}

// rulesEvents: the changes of the ledger's rules and the type of rules v2.
func rulesEvents(tx *chain.Tx) ([]api.Event, error) {
	switch tx.Type {
	case authz.TxSetValidatorNode:
		return oneEvent(tx, func(p *authz.SetValidatorNodePayload) api.Event {
			return api.Event{Type: api.EventValidatorNodeSet, Node: p.PubKey, NodeID: p.NodeID}
		})
	case authz.TxScheduleRules:
		return oneEvent(tx, func(p *authz.ScheduleRulesPayload) api.Event {
			return api.Event{Type: api.EventRulesScheduled, RulesVersion: p.Version, RulesHeight: p.Height}
		})
	default: // authz.TxCancelRules
		return oneEvent(tx, func(p *authz.CancelRulesPayload) api.Event {
			return api.Event{Type: api.EventRulesCancelled, RulesVersion: p.Version}
		})
	}
}

// schemaEvents: the id and version are the ledger's record of the
// transaction (a register with id 0 is given the next free id).
func schemaEvents(tx *chain.Tx, hash string, st chain.Reader) ([]api.Event, error) {
	id, version, ok, err := schemas.Published(st, hash)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("no schema is recorded for committed transaction %s", hash)
	}
	typ := api.EventSchemaRegistered
	if tx.Type == schemas.TxUpdate {
		typ = api.EventSchemaVersion
	}
	return one(api.Event{Type: typ, DID: tx.SignerDID(), SchemaID: id, SchemaVersion: version}), nil
}

// statusEvents: a list's issuer is its creator, the transaction's signer
// (status.TxCreate), and its purpose never changes.
func statusEvents(tx *chain.Tx, hash string, st chain.Reader) ([]api.Event, error) {
	if tx.Type == status.TxCreate {
		p, err := decode[status.CreatePayload](tx)
		if err != nil {
			return nil, err
		}
		id := p.ID
		if id == "" {
			id = status.DerivedID(hash)
		}
		return one(api.Event{Type: api.EventStatusListCreated, DID: tx.SignerDID(), StatusList: id, Purpose: p.Purpose}), nil
	}
	p, err := decode[status.UpdatePayload](tx)
	if err != nil {
		return nil, err
	}
	l, ok, err := status.Lookup(st, p.List)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("status list %s of a committed update is not recorded", p.List)
	}
	return one(api.Event{Type: api.EventStatusChanged, DID: l.Issuer, StatusList: p.List, Purpose: l.Purpose, Set: p.Set, Clear: p.Clear}), nil
}

// grantEvents: the parties and resource are the ledger's receipt of the
// grant, written by grant.record and never changed but for its status.
func grantEvents(tx *chain.Tx, st chain.Reader) ([]api.Event, error) {
	var r *grants.Receipt
	e := api.Event{}
	switch tx.Type {
	case grants.TxRecord:
		p, err := decode[grants.RecordPayload](tx)
		if err != nil {
			return nil, err
		}
		if r, err = grants.ByHash(st, grants.Hash(p.Grant)); err != nil {
			return nil, err
		}
		e.Type = api.EventGrantCreated
	case grants.TxRevoke:
		p, err := decode[grants.RevokePayload](tx)
		if err != nil {
			return nil, err
		}
		if r, err = grants.Get(st, p.ID); err != nil {
			return nil, err
		}
		e.Type = api.EventGrantRevoked
	default: // grants.TxAccess
		p, err := decode[grants.AccessPayload](tx)
		if err != nil {
			return nil, err
		}
		if r, err = grants.Get(st, p.GrantID); err != nil {
			return nil, err
		}
		e.Type, e.Claims, e.Request, e.DID = api.EventGrantAccessed, p.Claims, p.Request, tx.SignerDID()
	}
	e.Grant, e.GrantHash, e.Grantor, e.Grantee, e.Resource = r.ID, r.Hash, r.Grantor, r.Grantee, r.Resource
	return one(e), nil
}

func evidenceEvents(tx *chain.Tx) ([]api.Event, error) {
	switch tx.Type {
	case evidence.TxCreate:
		return oneEvent(tx, func(p *evidence.CreatePayload) api.Event {
			return api.Event{Type: api.EventEvidenceCreated, Evidence: p.Hash, DID: didOf(p.Signer), Method: p.Signer}
		})
	case evidence.TxSign:
		return oneEvent(tx, func(p *evidence.SignPayload) api.Event {
			return api.Event{Type: api.EventEvidenceSigned, Evidence: p.Hash, DID: didOf(p.Signer), Method: p.Signer}
		})
	case evidence.TxRevoke, evidence.TxRestore:
		p, err := decode[evidence.RevokePayload](tx)
		if err != nil {
			return nil, err
		}
		typ := api.EventEvidenceSignatureRevoked
		if tx.Type == evidence.TxRestore {
			typ = api.EventEvidenceSignatureRestored
		}
		return one(api.Event{Type: typ, Evidence: p.Hash, DID: p.DID}), nil
	case evidence.TxLog:
		return oneEvent(tx, func(p *evidence.LogPayload) api.Event {
			return api.Event{Type: api.EventEvidenceLogAdded, Evidence: p.Hash, DID: tx.SignerDID()}
		})
	default: // api.TxEvidenceBatch: one event per item, in order
		p, err := decode[evidence.BatchPayload](tx)
		if err != nil {
			return nil, err
		}
		out := make([]api.Event, 0, len(p.Items))
		for i, it := range p.Items {
			typ := map[string]string{"create": api.EventEvidenceCreated, "sign": api.EventEvidenceSigned}[it.Op]
			if typ == "" {
				return nil, fmt.Errorf("evidence batch item %s has op %s", strconv.Itoa(i), quote(it.Op))
			}
			out = append(out, api.Event{Type: typ, Evidence: it.Hash, DID: didOf(it.Signer), Method: it.Signer})
		}
		return out, nil
	}
}

// didOf is the DID of a DID URL.
func didOf(u string) string {
	t := chain.Tx{From: u}
	return t.SignerDID()
}
