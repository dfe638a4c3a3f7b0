// Package httpx is what every handler package of the API shares: HandlerFunc
// and the one adapter that renders its error as an RFC 9457 problem (Handle),
// strict decoding (Decode, DecodeWrite), JSON replies, the token's Account,
// ledger writes (Write: node.Write), OAuth error responses and QR images.
//
// A handler reads the request, calls the node, and returns
// httpx.JSON(w, status, result) or an error; it never writes an error
// itself. Errors that know their status and code (*errs.Error) are rendered
// as they say, a storage failure is 503, anything else a 500 whose detail
// is logged, never shown (as smallstep/certificates' api/render does).
package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/txn"
)

// MaxBodyBytes bounds every request body but a batch stream's.
const MaxBodyBytes = 1 << 20

// HandlerFunc handles a request and returns what went wrong instead of
// rendering it: Handle renders it.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Handle adapts h to net/http, rendering its error as a problem.
func Handle(h HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			Error(w, r, err)
		}
	}
}

// Query wraps f, the handler of a route that takes the query parameters
// declared (a name ending in "..." may be repeated), to refuse first any
// other parameter, or one given twice, with 400 request.badQuery
// (api.CheckDeclaredQuery): a typo would silently widen the answer, and of
// two values one would silently win.
func Query(f HandlerFunc, declared ...string) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := api.CheckDeclaredQuery(r.URL.Query(), declared); err != nil {
			return err
		}
		return f(w, r)
	}
}

// Error writes err as problem+json; a write that stopped waiting for its
// block (*chain.PendingError) is not a problem but a 202 with the hash and a
// Location, /v1/txs/{hash}, that says what became of it.
func Error(w http.ResponseWriter, r *http.Request, err error) {
	var pe *chain.PendingError
	if errors.As(err, &pe) {
		_ = Pending(w, pe.Hash)
		return
	}
	WriteProblem(w, r, err, nil)
}

// Pending writes 202 Accepted with a pending receipt of the transaction
// hash and its Location to poll (RFC 9110 §15.3.3).
func Pending(w http.ResponseWriter, hash string) error {
	w.Header().Set("Location", "/v1/txs/"+hash)
	return JSON(w, http.StatusAccepted, api.Receipt{TxHash: hash, Status: api.StatusPending})
}

// Written answers a write with v, the result of the transaction txHash
// whose status (api.StatusCommitted or api.StatusPending) it carries: with
// status, or while pending with 202 and the Location to poll, as Pending.
func Written(w http.ResponseWriter, status int, txHash, txStatus string, v any) error {
	if txStatus == api.StatusPending {
		w.Header().Set("Location", "/v1/txs/"+txHash)
		status = http.StatusAccepted
	}
	return JSON(w, status, v)
}

// WriteProblem writes err as problem+json with extra members merged in
// (extension members, such as DID Resolution's metadata).
func WriteProblem(w http.ResponseWriter, r *http.Request, err error, extra map[string]any) {
	p := ProblemFor(err)
	p.Instance = r.URL.Path
	p.RequestID = middleware.GetReqID(r.Context())
	if p.Status >= 500 && p.Status != http.StatusNotImplemented { // 501: what the caller asked for (a DID method) is not here
		slog.ErrorContext(r.Context(), "request failed", "requestId", p.RequestID, "path", r.URL.Path, "code", p.Code, "err", err)
	}
	writeProblem(w, p, extra)
}

// ProblemWith writes err as problem+json whose extension members (RFC 9457
// §3.2) are the members of v, a value that encodes to a JSON object (a
// failed verification's verdict); a member named as one of the problem's
// own (problemMembers) stays the problem's. It returns nil, as JSON does.
func ProblemWith(w http.ResponseWriter, r *http.Request, err error, v any) error {
	b, merr := chain.MarshalJSON(v)
	if merr != nil {
		return merr
	}
	var members map[string]json.RawMessage
	if merr := json.Unmarshal(b, &members); merr != nil {
		return fmt.Errorf("problem extension members: %w", merr)
	}
	extra := make(map[string]any, len(members))
	for k, m := range members {
		if !problemMembers[k] {
			extra[k] = m
		}
	}
	WriteProblem(w, r, err, extra)
	return nil
}

// problemMembers are the JSON members of an api.Problem.
var problemMembers = map[string]bool{"type": true, "title": true, "status": true, "detail": true, "code": true, "instance": true, "requestId": true}

// ProblemFor is the problem err is rendered as.
func ProblemFor(err error) api.Problem {
	if e, ok := errs.As(err); ok {
		return problem(e.Status, e.Code, e.Detail)
	}
	if errors.Is(err, chain.ErrStorage) {
		return problem(http.StatusServiceUnavailable, "ledger.unavailable", "the ledger's storage failed; nothing was written")
	}
	return problem(http.StatusInternalServerError, "internal", "internal error; see the node's log")
}

func problem(status int, code, detail string) api.Problem {
	return api.Problem{Type: api.ProblemTypeBase + code, Title: http.StatusText(status), Status: status, Detail: detail, Code: code}
}

func writeProblem(w http.ResponseWriter, p api.Problem, extra map[string]any) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	api.SetChallenge(w.Header(), p)
	w.WriteHeader(p.Status)
	var body any = p
	if extra != nil {
		m := map[string]any{}
		raw, _ := json.Marshal(p)
		_ = json.Unmarshal(raw, &m)
		for k, v := range extra {
			m[k] = v
		}
		body = m
	}
	b, _ := chain.MarshalJSON(body)
	_, _ = w.Write(append(b, '\n'))
}

// Internal writes the problem of a recovered panic: a bug must not leak a
// stack trace to the caller.
func Internal(w http.ResponseWriter, r *http.Request) {
	p := problem(http.StatusInternalServerError, "internal", "internal error; see the node's log")
	p.RequestID = middleware.GetReqID(r.Context())
	writeProblem(w, p, nil)
}

// JSON writes v as JSON with status. It returns nil, so that a handler
// can end with return httpx.JSON(…).
func JSON(w http.ResponseWriter, status int, v any) error {
	return Body(w, status, "application/json", v)
}

// Body writes v as JSON of media type typ with status.
func Body(w http.ResponseWriter, status int, typ string, v any) error {
	b, err := chain.MarshalJSON(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", typ)
	// Sized, not chunked: answers past net/http's 2 KB buffer (proven
	// resolutions) stay one frame for keep-alive clients.
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
	return nil
}

// ReadBody reads a request body (bounded by the server's body limit).
func ReadBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(r.Body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, errs.New(http.StatusRequestEntityTooLarge, "request.tooLarge", "request body exceeds %d bytes", mbe.Limit)
	}
	if err != nil {
		return nil, errs.BadRequest("request.unreadable", "read request body: %v", err)
	}
	return b, nil
}

// A SignedRequest is a request body that may carry a client-signed
// transaction in its "tx" member: the api bodies that embed api.Signed, and
// api.DIDRequest.
type SignedRequest interface {
	SetTx(json.RawMessage)
}

// Decode strictly decodes a request body into v, a pointer to a new value:
// unknown, repeated and miscased members are refused, and so is a body
// null (an empty body is {}). A body {"tx": {…}} carrying a signed
// transaction, the most common write, is handed to a SignedRequest as it
// is: chain.DecodeTx refuses later what strict decoding of the body would;
// a "tx" beside other members is refused (txn.CheckTxAlone).
func Decode(r *http.Request, v any) error {
	body, err := ReadBody(r)
	if err != nil {
		return err
	}
	if len(body) == 0 {
		body = []byte("{}")
	}
	if sr, ok := v.(SignedRequest); ok {
		if raw, ok := chain.TxMember(body); ok {
			sr.SetTx(raw)
			return nil
		}
	}
	err = txn.DecodeBody(body, v)
	if _, signed := v.(SignedRequest); signed && err == nil {
		err = txn.CheckTxAlone(body)
	}
	if err != nil {
		return errs.BadRequest("request.malformed", "request body: %v", err)
	}
	return nil
}

// DecodeWrite decodes a write's request body into v, as Decode, and
// reports its ?async= flag, as Async.
func DecodeWrite(r *http.Request, v any) (async bool, err error) {
	if err := Decode(r, v); err != nil {
		return false, err
	}
	return Async(r)
}

// Async reports the ?async= flag of a write: true answers 202 once the
// transaction is in the mempool. Given twice it is a 400, as
// api.CheckQuery has it.
func Async(r *http.Request) (bool, error) { return BoolQuery(r, "async") }

// BoolQuery reads the boolean query parameter name: absent is false,
// anything but a boolean or given twice is a 400.
func BoolQuery(r *http.Request, name string) (bool, error) {
	vs := r.URL.Query()[name]
	if len(vs) > 1 {
		return false, errs.BadRequest("request.badQuery", "query parameter %q is given %d times", name, len(vs))
	}
	v := strings.Join(vs, "")
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, errs.BadRequest("request.badQuery", "%s must be true or false", name)
	}
	return b, nil
}

// Param returns the path parameter name, percent-decoded (a DID in a path
// segment may be encoded or not).
func Param(r *http.Request, name string) string {
	raw := chi.URLParam(r, name)
	v, err := url.PathUnescape(raw)
	if err != nil {
		return raw
	}
	return v
}

// Limit reads ?limit=, from 1 to max, def when absent.
func Limit(r *http.Request, def, max int) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		return 0, errs.BadRequest("request.badQuery", "limit must be an integer from 1 to %d", max)
	}
	return n, nil
}

// QueryUint reads the unsigned integer query parameter name, 0 when
// absent; a value that is not one, or is below min, is a 400 whose detail
// says name must be what.
func QueryUint(r *http.Request, name string, min uint64, what string) (uint64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n < min {
		return 0, errs.BadRequest("request.badQuery", "%s must be %s", name, what)
	}
	return n, nil
}

// Bearer returns the request's API token (Authorization: Bearer …, the
// scheme in any case; two Authorization headers are a 400: api.BearerToken).
func Bearer(r *http.Request) (string, error) {
	tok, err := api.BearerToken(r.Header)
	if err != nil {
		return "", errs.BadRequest("request.malformed", "%v", err)
	}
	if tok == "" {
		return "", errs.New(http.StatusUnauthorized, "auth.required", "this operation needs an API token: Authorization: Bearer <token>")
	}
	return tok, nil
}

// Authenticator finds the account of an API token (node.Node does).
type Authenticator interface {
	Authenticate(token string) (*node.Account, error)
}

// Account returns the account the request's bearer token authenticates.
func Account(r *http.Request, a Authenticator) (*node.Account, error) {
	tok, err := Bearer(r)
	if err != nil {
		return nil, err
	}
	return a.Authenticate(tok)
}

// AccountDecode returns the account the request's bearer token
// authenticates (Account) and then strictly decodes the body into v
// (Decode): a request without a valid token is refused before its body
// is read.
func AccountDecode(r *http.Request, a Authenticator, v any) (*node.Account, error) {
	acct, err := Account(r, a)
	if err != nil {
		return nil, err
	}
	return acct, Decode(r, v)
}
