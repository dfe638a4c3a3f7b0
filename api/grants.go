package api

// GrantRequest is the body of POST /v1/grants: a grant.record transaction
// signed by the grantor ("tx"), or, with a bearer token, the fields of a
// grant for the node to make, sign and record as "signer" (the grantor, a
// DID of the token's account). notBefore defaults to now.
type GrantRequest struct {
	Signed
	Grantee   string   `json:"grantee,omitempty"`
	Resource  string   `json:"resource,omitempty"`
	Scope     []string `json:"scope,omitempty"`
	Purpose   string   `json:"purpose,omitempty"`
	NotBefore string   `json:"notBefore,omitempty"`
	Expires   string   `json:"expires,omitempty"`
}

// GrantWriteRequest is the body of POST /v1/grants/{id}/revoke and POST
// /v1/grants/{id}/accesses: a signed transaction of that type ("tx"), or,
// with a bearer token, the node signs as "signer" (for a revocation,
// default the grantor); an access names the claims released and the
// request hash.
type GrantWriteRequest struct {
	Signed
	Claims  []string `json:"claims,omitempty"`
	Request string   `json:"request,omitempty"`
}

// GrantReceipt is the result of a grant write.
type GrantReceipt struct {
	ID string `json:"id"`
	// Hash is the grant's hash (grant.record).
	Hash string `json:"hash,omitempty"`
	// Grant is the grant (compact JWS), when the node made it.
	Grant  string `json:"grant,omitempty"`
	TxHash string `json:"txHash"`
	Height uint64 `json:"height,omitempty"`
	// Status is StatusCommitted or StatusPending.
	Status string `json:"status"`
}

// GrantView is a grant's receipt with its status now (state: active,
// revoked, expired or notYetValid).
type GrantView struct {
	Grant
	State string `json:"state"`
}

// GrantQuery is the query of GET /v1/grants: the grants of a grantor or of
// a grantee (one of the two) after the id After, or the one whose hash is
// Hash (then the others are ignored).
type GrantQuery struct {
	Grantor, Grantee, Hash, After string
	// Limit bounds the page, from 1 to grants.MaxPage.
	Limit int
}

// GrantList is a page of grants; next, when present, continues it (?after=).
type GrantList struct {
	Grants []GrantView `json:"grants"`
	Next   string      `json:"next,omitempty"`
}

// AccessList is a page of access receipts; next, when present, continues it
// (?from=).
type AccessList struct {
	Accesses []GrantAccess `json:"accesses"`
	Next     int           `json:"next,omitempty"`
}
