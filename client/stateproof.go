package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/txn"
)

// StateProof asks the node for the proofs of state keys at its head
// (GET /v1/state/proof) without checking them: see api.StateProofs.Verify
// and Value.
func (c *Client) StateProof(ctx context.Context, keys ...[]byte) (*api.StateProofs, error) {
	q := url.Values{}
	for _, k := range keys {
		q.Add("key64", base64.RawURLEncoding.EncodeToString(k))
	}
	var p api.StateProofs
	if _, err := c.do(ctx, http.MethodGet, "/v1/state/proof?"+q.Encode(), nil, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// StateProofs asks the node for the proofs of 1 to
// api.MaxStateProofBodyKeys state keys at its head in one answer (POST
// /v1/state/proof) without checking them: see api.StateProofs.Verify and
// Value. A node older than it answers 404 or 405 (an *Error): ask it with
// StateProof, api.MaxStateProofKeys keys at a time.
func (c *Client) StateProofs(ctx context.Context, keys [][]byte) (*api.StateProofs, error) {
	req := api.StateProofRequest{Keys64: make([]string, len(keys))}
	for i, k := range keys {
		req.Keys64[i] = base64.RawURLEncoding.EncodeToString(k)
	}
	var p api.StateProofs
	if _, err := c.do(ctx, http.MethodPost, "/v1/state/proof", &req, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// verifiedProof asks for the proofs of keys and checks them against the
// anchor (api.StateProofs.Verify), returning them and what vouches for
// them; the caller uses neither when the error is not nil.
func (c *Client) verifiedProof(ctx context.Context, a api.StateAnchor, keys ...[]byte) (*api.StateProofs, *api.StateVerdict, error) {
	p, err := c.StateProof(ctx, keys...)
	if err != nil {
		return nil, nil, err
	}
	v, err := p.Verify(a)
	return p, v, err
}

// ProvenValue asks for the proof of one key and checks it against the
// anchor: the value (nil when its absence is proven) and what vouches for
// it, or an error naming what is wrong.
func (c *Client) ProvenValue(ctx context.Context, key []byte, a api.StateAnchor) ([]byte, *api.StateVerdict, error) {
	p, v, err := c.verifiedProof(ctx, a, key)
	if err != nil {
		return nil, nil, err
	}
	val, err := p.Value(key)
	if err != nil {
		return nil, nil, err
	}
	return val, v, nil
}

// ResolveVerified resolves a did:weid DID (versionID "" for the latest)
// with ?proof=true and checks, against the anchor, that the document and
// metadata the node returned are the ledger's state at a block the anchor
// vouches for: a node that changes the document, proves another key or
// height, or shows a header nobody trusted signed, gets an error naming it.
// A DID that does not exist is a *Error with status 404 once its absence
// is proven.
func (c *Client) ResolveVerified(ctx context.Context, id, versionID string, a api.StateAnchor) (*did.ResolutionResult, *api.StateVerdict, error) {
	q := url.Values{"proof": {"true"}}
	if versionID != "" {
		q.Set("versionId", versionID)
	}
	var r api.ProvenResolution
	st, err := c.do(ctx, http.MethodGet, "/1.0/identifiers/"+url.PathEscape(id)+"?"+q.Encode(), nil, &r, http.StatusGone, http.StatusNotFound)
	if err != nil {
		return nil, nil, err
	}
	v, err := VerifyResolution(&r, id, versionID, a)
	if err != nil {
		return nil, nil, err
	}
	if st == http.StatusNotFound {
		return nil, v, &Error{Status: st, Code: "did.notFound", Detail: fmt.Sprintf("%s does not exist at block %d (proven)", id, v.Height)}
	}
	return &r.ResolutionResult, v, nil
}

// VerifyResolution checks a proven resolution of id (versionID "" for the
// latest) against the anchor; see ResolveVerified.
func VerifyResolution(r *api.ProvenResolution, id, versionID string, a api.StateAnchor) (*api.StateVerdict, error) {
	if r.StateProof == nil {
		return nil, fmt.Errorf("%w: the node sent no stateProof", txn.ErrStateProof)
	}
	v, err := r.StateProof.Verify(a)
	if err != nil {
		return nil, err
	}
	latest, err := r.StateProof.Value(did.LatestKey(id))
	if err != nil {
		return nil, err
	}
	if latest == nil {
		if r.Document != nil {
			return nil, fmt.Errorf("%w: the proof says %s does not exist, the node returned a document", txn.ErrStateProof, id)
		}
		return v, nil
	}
	if len(latest) != 8 {
		return nil, fmt.Errorf("%w: the latest version of %s is not 8 bytes", txn.ErrStateProof, id)
	}
	last, ver := binary.BigEndian.Uint64(latest), binary.BigEndian.Uint64(latest)
	if versionID != "" {
		if ver, err = strconv.ParseUint(versionID, 10, 64); err != nil || ver == 0 || ver > last {
			return nil, fmt.Errorf("%w: version %q of %s is not between 1 and the proven latest %d", txn.ErrStateProof, versionID, id, last)
		}
	}
	raw, err := r.StateProof.Value(did.VersionKey(id, ver))
	if err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, fmt.Errorf("%w: the proof says version %d of %s does not exist", txn.ErrStateProof, ver, id)
	}
	rec, err := did.DecodeRecord(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", txn.ErrStateProof, err)
	}
	if rec.Document == nil || rec.Document.ID != id || rec.Version != ver {
		return nil, fmt.Errorf("%w: the proven record is not version %d of %s", txn.ErrStateProof, ver, id)
	}
	if versionID == "" {
		last = 0
	}
	want := did.RecordResult(rec, last)
	if !sameJSON(want.Document, r.Document) {
		return nil, fmt.Errorf("%w: the document the node returned differs from the proven record of %s version %d", txn.ErrStateProof, id, ver)
	}
	if !sameJSON(want.DocumentMetadata, r.DocumentMetadata) {
		return nil, fmt.Errorf("%w: the document metadata the node returned differ from the proven record of %s version %d", txn.ErrStateProof, id, ver)
	}
	return v, nil
}

// sameJSON compares two values by their JSON (documents carry maps and
// raw members: compare what the wire carries).
func sameJSON(a, b any) bool {
	if reflect.DeepEqual(a, b) { // the same values encode the same
		return true
	}
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	if err1 != nil || err2 != nil {
		return false
	}
	if bytes.Equal(ja, jb) {
		return true
	}
	var va, vb any
	if json.Unmarshal(ja, &va) != nil || json.Unmarshal(jb, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

// ProvenIssuer returns the authority issuer registry entry of issuerDID
// (the ledger's record, JSON; nil when the DID is not a recognized issuer,
// its absence proven) at a block the anchor vouches for.
func (c *Client) ProvenIssuer(ctx context.Context, issuerDID string, a api.StateAnchor) (json.RawMessage, *api.StateVerdict, error) {
	return c.ProvenValue(ctx, []byte("issuer/did/"+issuerDID), a)
}

// statusChunkBits is the number of bits in one stored chunk of a status
// list (status.ChunkBytes × 8).
const statusChunkBits = 4096 * 8

// ProvenStatusBit reports whether bit index of status list listID is set
// (Bitstring Status List §3.2: index 0 is the left-most bit) at a block the
// anchor vouches for, proving the list's record (its size) and the chunk
// holding the bit (a chunk never written is all zeros, its absence proven).
func (c *Client) ProvenStatusBit(ctx context.Context, listID string, index uint64, a api.StateAnchor) (bool, *api.StateVerdict, error) {
	listKey := []byte("status/list/" + listID)
	chunkKey := binary.BigEndian.AppendUint32([]byte("status/bits/"+listID+"/"), uint32(index/statusChunkBits))
	p, v, err := c.verifiedProof(ctx, a, listKey, chunkKey)
	if err != nil {
		return false, nil, err
	}
	rec, err := p.Value(listKey)
	if err != nil {
		return false, nil, err
	}
	if rec == nil {
		return false, v, &Error{Status: http.StatusNotFound, Code: "status.notFound", Detail: fmt.Sprintf("status list %s does not exist at block %d (proven)", listID, v.Height)}
	}
	var l struct {
		Size uint64 `json:"size"`
	}
	if err := json.Unmarshal(rec, &l); err != nil {
		return false, nil, fmt.Errorf("%w: status list record: %v", txn.ErrStateProof, err)
	}
	if index >= l.Size {
		return false, v, &Error{Status: http.StatusBadRequest, Code: "status.indexOutOfRange", Detail: fmt.Sprintf("index %d is outside status list %s (%d bits)", index, listID, l.Size)}
	}
	chunk, err := p.Value(chunkKey)
	if err != nil {
		return false, nil, err
	}
	i := index % statusChunkBits
	if chunk == nil {
		return false, v, nil
	}
	if i/8 >= uint64(len(chunk)) {
		return false, nil, fmt.Errorf("%w: status list chunk of %d bytes has no bit %d", txn.ErrStateProof, len(chunk), i)
	}
	return chunk[i/8]&(0x80>>(i%8)) != 0, v, nil
}

// ProvenSchemaVersion returns version version of schema id as the ledger
// records it (JSON; nil when it does not exist, its absence proven) at a
// block the anchor vouches for.
func (c *Client) ProvenSchemaVersion(ctx context.Context, id, version uint64, a api.StateAnchor) (json.RawMessage, *api.StateVerdict, error) {
	k := binary.BigEndian.AppendUint64([]byte("schema/version/"), id)
	k = binary.BigEndian.AppendUint64(append(k, '/'), version)
	return c.ProvenValue(ctx, k, a)
}
