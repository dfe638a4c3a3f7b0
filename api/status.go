package api

// UpdateStatusRequest is the body of POST /credentials/status (W3C
// VCALM): set (Status true) or clear the bit of one status purpose of a
// credential the account's DID issued. The entry is named by
// credentialStatus.statusListCredential and statusListIndex, or found by
// credentialId among the credentials this node issued.
type UpdateStatusRequest struct {
	CredentialID     string             `json:"credentialId,omitempty"`
	CredentialStatus *StatusEntryUpdate `json:"credentialStatus"`
	Status           *bool              `json:"status"`
	// IndexAllocator is W3C VCALM's hint for services that share the
	// assignment of list indexes. It is accepted and not used: the node
	// allocates its issuers' indexes itself (random, in its own lists).
	IndexAllocator string `json:"indexAllocator,omitempty"`
}

// StatusEntryUpdate names the status entry to update.
type StatusEntryUpdate struct {
	ID                   string `json:"id,omitempty"`
	Type                 string `json:"type"`
	StatusPurpose        string `json:"statusPurpose"`
	StatusListIndex      string `json:"statusListIndex,omitempty"`
	StatusListCredential string `json:"statusListCredential,omitempty"`
}

// UpdateStatusResponse is the body of a 200 from POST /credentials/status.
// TxStatus is that of the status.update (TxHash): StatusCommitted, or
// StatusPending when its block did not come within the node's commit wait
// (W3C VCALM lists no 202: the answer is 200 all the same, Height 0).
type UpdateStatusResponse struct {
	CredentialID  string `json:"credentialId,omitempty"`
	StatusPurpose string `json:"statusPurpose"`
	Status        bool   `json:"status"`
	List          string `json:"list"`
	Index         uint64 `json:"index"`
	TxHash        string `json:"txHash"`
	Height        uint64 `json:"height"`
	TxStatus      string `json:"txStatus"`
}
