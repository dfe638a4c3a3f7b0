// Package schemas is the ledger's credential schema registry, WeIdentity's
// CPT (Claim Protocol Type): JSON Schema documents (draft 2020-12,
// https://json-schema.org/draft/2020-12) that credentials name by a numeric
// id and version, published by signed transactions.
//
// Ids are split into WeIdentity's ranges: ids below 1000 are system schemas,
// published by consortium governors (admins and committee members); ids
// 1000 to 1,999,999 belong to authority issuers (and governors); ids from
// 2,000,000 on are open to anyone with a registered did:weid DID. A
// schema.register transaction with id 0 gets the next free id of the
// signer's range, from a counter kept in the state; schema.update adds a new
// version of a schema, and every version stays readable.
//
// Schemas are compiled with github.com/santhosh-tekuri/jsonschema/v6 from
// the document alone: nothing is loaded from the network or the file system,
// and a reference to anything outside the document fails. Formats ("date",
// "date-time", "email", …) are asserted, not just annotations. Validator
// checks claims against a schema version, caching compiled schemas.
//
// The genesis block registers the system schemas (SystemSchemas, ids 1 to
// 3) with schema.register transactions signed by the consortium admin.
//
// State layout (ids and versions as 8-byte big-endian numbers):
//
//	schema/latest/<id>              latest version number
//	schema/version/<id>/<version>   Record (JSON)
//	schema/next/<range>             next id to try for automatic assignment
//	schema/bytx/<txHash>            id and version a transaction published
package schemas
