package api

// Ledger events (GET /v1/events): what committed blocks did, derived from
// the blocks alone (package events), so every node yields the same events
// and any history can be replayed from any cursor.

// Event types. A type is "<area>.<what happened>"; filters name them
// exactly or by area with a wildcard ("did.*", or "*" for all).
const (
	EventDIDCreated        = "did.created"
	EventDIDUpdated        = "did.updated"        // a key or service added or removed
	EventDIDKeyRotated     = "did.keyRotated"     // a key replaced by a new one
	EventDIDKeyCompromised = "did.keyCompromised" // a key declared compromised
	EventDIDDeactivated    = "did.deactivated"

	EventIssuerRecognized   = "issuer.recognized"
	EventIssuerDerecognized = "issuer.derecognized"

	EventCommitteeMemberAdded   = "committee.memberAdded"
	EventCommitteeMemberRemoved = "committee.memberRemoved"

	EventSchemaRegistered = "schema.registered"
	EventSchemaVersion    = "schema.versionAdded"

	EventStatusListCreated = "status.listCreated"
	EventStatusChanged     = "status.changed" // entries of a list set or cleared

	EventGrantCreated  = "grant.created"
	EventGrantRevoked  = "grant.revoked"
	EventGrantAccessed = "grant.accessed"

	EventEvidenceCreated           = "evidence.created"
	EventEvidenceSigned            = "evidence.signed"
	EventEvidenceSignatureRevoked  = "evidence.signatureRevoked"
	EventEvidenceSignatureRestored = "evidence.signatureRestored"
	EventEvidenceLogAdded          = "evidence.logAdded"

	EventValidatorAdded   = "validator.added"
	EventValidatorRemoved = "validator.removed"
	EventObserverAdded    = "observer.added"
	EventObserverRemoved  = "observer.removed"
	EventValidatorNodeSet = "validator.nodeSet" // a validator's CometBFT node id recorded

	EventRulesScheduled = "rules.scheduled" // a change of the ledger's rules at a height
	EventRulesCancelled = "rules.cancelled"

	EventChainInitialized = "chain.initialized"
	EventBlockCommitted   = "block.committed" // the last event of every block
)

// EventTypes lists every event type, grouped by area.
var EventTypes = []string{
	EventDIDCreated, EventDIDUpdated, EventDIDKeyRotated, EventDIDKeyCompromised, EventDIDDeactivated,
	EventIssuerRecognized, EventIssuerDerecognized,
	EventCommitteeMemberAdded, EventCommitteeMemberRemoved,
	EventSchemaRegistered, EventSchemaVersion,
	EventStatusListCreated, EventStatusChanged,
	EventGrantCreated, EventGrantRevoked, EventGrantAccessed,
	EventEvidenceCreated, EventEvidenceSigned, EventEvidenceSignatureRevoked, EventEvidenceSignatureRestored, EventEvidenceLogAdded,
	EventValidatorAdded, EventValidatorRemoved, EventObserverAdded, EventObserverRemoved, EventValidatorNodeSet,
	EventRulesScheduled, EventRulesCancelled,
	EventChainInitialized, EventBlockCommitted,
}

// Limits of GET /v1/events.
const (
	// DefaultEventPage and MaxEventPage bound a JSON page's events (?limit=).
	DefaultEventPage = 100
	MaxEventPage     = 1000
	// MaxEventPageBlocks bounds the blocks one JSON page reads, so a
	// filter that matches little still answers quickly; next says where
	// to go on.
	MaxEventPageBlocks = 1000
)

// Event is one thing a committed transaction (or block) did. Its Cursor,
// "height.tx.event" (decimal), orders all events of a chain and is what a
// stream resumes after (SSE id, Last-Event-ID, from=); ID is a stable,
// chain-unique id for de-duplication (the same on every node). Only the
// members that concern the type are set; each is something the ledger
// already publishes (the transaction's payload, or state it recorded).
type Event struct {
	ID     string `json:"id"`
	Cursor string `json:"cursor"`
	Type   string `json:"type"`
	Height uint64 `json:"height"`
	Time   string `json:"time"` // the block's time, RFC 3339 UTC
	// TxHash and Signer (the signing verification method, a DID URL)
	// name the transaction; not set on block.committed.
	TxHash string `json:"txHash,omitempty"`
	Signer string `json:"signer,omitempty"`

	// DID is the DID the event is about: the DID created, updated or
	// deactivated, the issuer or committee member, a status list's
	// issuer, an evidence signer, an observer's member.
	DID string `json:"did,omitempty"`
	// Change says what a did.updated did: addVerificationMethod,
	// removeVerificationMethod, addService, removeService.
	Change string `json:"change,omitempty"`
	// Method is a verification method (DID URL): added, removed, rotated
	// out (did.keyRotated: NewMethod is the one that replaced it).
	Method    string `json:"method,omitempty"`
	NewMethod string `json:"newMethod,omitempty"`
	// PublicKeyMultibase is the key added, rotated in or declared
	// compromised.
	PublicKeyMultibase string `json:"publicKeyMultibase,omitempty"`
	Service            string `json:"service,omitempty"` // a service id added or removed

	SchemaID      uint64 `json:"schemaId,omitempty"`
	SchemaVersion uint64 `json:"schemaVersion,omitempty"`

	StatusList string   `json:"statusList,omitempty"`
	Purpose    string   `json:"purpose,omitempty"` // revocation or suspension
	Set        []uint64 `json:"set,omitempty"`     // status indexes set
	Clear      []uint64 `json:"clear,omitempty"`   // status indexes cleared

	Grant     string   `json:"grant,omitempty"` // a grant's id (urn:uuid:…)
	GrantHash string   `json:"grantHash,omitempty"`
	Grantor   string   `json:"grantor,omitempty"`
	Grantee   string   `json:"grantee,omitempty"`
	Resource  string   `json:"resource,omitempty"`
	Claims    []string `json:"claims,omitempty"`  // the claims a grant.accessed released
	Request   string   `json:"request,omitempty"` // the access's request hash

	Evidence string `json:"evidence,omitempty"` // an evidence's document hash

	Node   string `json:"node,omitempty"` // a validator's public key or an observer's node id
	Power  int64  `json:"power,omitempty"`
	NodeID string `json:"nodeId,omitempty"` // the CometBFT node id recorded for a validator

	// RulesVersion and RulesHeight: the version of the ledger's rules a
	// change was scheduled (or cancelled) for, and the height it takes
	// effect at.
	RulesVersion uint64 `json:"rulesVersion,omitempty"`
	RulesHeight  uint64 `json:"rulesHeight,omitempty"`

	BlockHash string `json:"blockHash,omitempty"`
	TxCount   uint32 `json:"txCount,omitempty"`
}

// EventPage is a JSON page of GET /v1/events: the events after the
// request's from, and Next, the cursor to ask from next (the last event
// read, or the end of the last block read, whether or not the filter
// kept it).
type EventPage struct {
	Events []Event `json:"events"`
	Next   string  `json:"next"`
}
