package api

import (
	"encoding/json"
)

// SchemaRequest publishes a schema or a new version of one: a signed
// schema.register / schema.update transaction ("tx"), or, with a bearer
// token, the fields for the node to sign as "signer" (a DID of the token's
// account; default: the admin DID for the admin token).
type SchemaRequest struct {
	Signed
	ID     uint64          `json:"id,omitempty"`
	Name   string          `json:"name,omitempty"`
	Schema json.RawMessage `json:"schema,omitempty"`
}

// SchemaResponse is the result of publishing a schema version.
type SchemaResponse struct {
	ID      uint64 `json:"id"`
	Version uint64 `json:"version"`
	URL     string `json:"url"` // the schema's stable URL path
	TxHash  string `json:"txHash"`
	Height  uint64 `json:"height"`
	Status  string `json:"status"`
}

// SchemaList is a page of schemas, their latest versions (GET /v1/schemas).
type SchemaList struct {
	Schemas []SchemaRecord `json:"schemas"`
	Next    uint64         `json:"next,omitempty"` // pass as ?after= for the next page
}
