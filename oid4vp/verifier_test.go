package oid4vp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/keys"
)

func TestMain(m *testing.M) {
	// The verifier's logs are for operators; tests assert on outcomes.
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}

// memStore is a Store in memory.
type memStore struct {
	mu   sync.Mutex
	recs map[string]Record
	// index is the account index: account → id → expiry.
	index map[string]map[string]time.Time
}

func newMemStore() *memStore {
	return &memStore{recs: map[string]Record{}, index: map[string]map[string]time.Time{}}
}

func (s *memStore) Create(rec *Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.recs[rec.ID]; ok {
		return errors.New("exists")
	}
	if s.index[rec.Account] == nil {
		s.index[rec.Account] = map[string]time.Time{}
	}
	s.index[rec.Account][rec.ID] = rec.Expires
	s.recs[rec.ID] = *rec
	return nil
}

func (s *memStore) Get(id string) (*Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.recs[id]
	if !ok {
		return nil, ErrNotFound
	}
	return &rec, nil
}

func (s *memStore) Put(rec *Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recs[rec.ID] = *rec
	return nil
}

func (s *memStore) Delete(account, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.recs, id)
	delete(s.index[account], id)
	return nil
}

func (s *memStore) Expiries(account string, fn func(id string, expires time.Time)) error {
	s.mu.Lock()
	idx := maps.Clone(s.index[account])
	s.mu.Unlock()
	for id, exp := range idx {
		fn(id, exp)
	}
	return nil
}

func (s *memStore) Each(fn func(rec *Record)) error {
	s.mu.Lock()
	recs := maps.Clone(s.recs)
	s.mu.Unlock()
	for _, rec := range recs {
		fn(&rec)
	}
	return nil
}

// testKeys keeps one Ed25519 did:key per account.
type testKeys struct {
	dids map[string][]string // account → its DIDs
	key  *keys.PrivateKey
	vm   string
}

func newTestKeys(t testing.TB, account string, more ...string) *testKeys {
	t.Helper()
	k := keytest.New(t, keys.Ed25519)
	d := did.KeyDID(k.Public())
	return &testKeys{dids: map[string][]string{account: append(more, d)}, key: k, vm: d + "#" + k.Public().Multibase()}
}

func (k *testKeys) SignerDIDs(account string) ([]string, error) { return k.dids[account], nil }

func (k *testKeys) SignerKey(account, d string) (string, *keys.PrivateKey, error) {
	for _, own := range k.dids[account] {
		if own == d && strings.HasPrefix(k.vm, d+"#") {
			return k.vm, k.key, nil
		}
		if own == d {
			return d + "#key-1", k.key, nil
		}
	}
	return "", nil, errs.New(403, "auth.notOwner", "%s belongs to another account", d)
}

// testChecker answers every presentation with verdict.
type testChecker struct {
	verdict func(raw json.RawMessage, o credential.PresentationOptions) *credential.PresentationResult
	names   map[string]string
}

func (c *testChecker) VerifyPresentation(_ context.Context, raw json.RawMessage, o credential.PresentationOptions) (*credential.PresentationResult, error) {
	return c.verdict(raw, o), nil
}

func (c *testChecker) IssuerName(d string) string { return c.names[d] }

const (
	holderDID = "did:example:alice"
	issuerDID = "did:example:university"
	// degreeQuery asks for the degree of a Data Integrity diploma.
	degreeQuery = `{"credentials":[{"id":"d","format":"ldp_vc","meta":{"type_values":[["UniversityDegreeCredential"]]},` +
		`"claims":[{"path":["credentialSubject","degree"]}]}]}`
)

// diplomaVerdict is a verified presentation of a Data Integrity diploma
// by holder about subject, with the checks a presentation made with the
// options' challenge and domain passes.
func diplomaVerdict(holder, subject string) func(json.RawMessage, credential.PresentationOptions) *credential.PresentationResult {
	return func(_ json.RawMessage, o credential.PresentationOptions) *credential.PresentationResult {
		doc := map[string]any{
			"type": []any{"VerifiableCredential", "UniversityDegreeCredential"}, "issuer": issuerDID,
			"credentialSubject": map[string]any{"id": subject, "degree": "Bachelor of Laws", "gpa": 3.9},
			"proof":             map[string]any{"type": "DataIntegrityProof"},
		}
		passed := func(name string) credential.Check {
			return credential.Check{Name: name, Status: credential.StatusPassed}
		}
		return &credential.PresentationResult{
			PresentationVerifyResult: api.PresentationVerifyResult{
				Verdict: api.Verdict{Verified: true, Warnings: []credential.Check{}, Errors: []credential.Check{},
					Checks: []credential.Check{passed(credential.CheckStructure), passed(credential.CheckHolderProof), passed(credential.CheckChallenge), passed(credential.CheckDomain)}},
				Holder:       holder,
				Presentation: map[string]any{"type": "VerifiablePresentation", "verifiableCredential": doc},
			},
			Credentials: []*credential.Result{{VerifyResult: api.VerifyResult{Verdict: api.Verdict{Verified: true, Checks: []credential.Check{passed(credential.CheckStatus)}}, Credential: doc}}},
		}
	}
}

type fixture struct {
	v     *Verifier
	store *memStore
	keys  *testKeys
	check *testChecker
	now   time.Time
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{store: newMemStore(), keys: newTestKeys(t, "desk"), now: time.Now().UTC().Truncate(time.Second),
		check: &testChecker{verdict: diplomaVerdict(holderDID, holderDID), names: map[string]string{issuerDID: "Example University"}}}
	f.v = NewVerifier(f.store, f.keys, f.check)
	f.v.now = func() time.Time { return f.now }
	return f
}

func (f *fixture) create(t testing.TB, body string) *Record {
	t.Helper()
	var req api.PresentationRequestBody
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		t.Fatal(err)
	}
	out, err := f.v.Create(context.Background(), Caller{Account: "desk"}, "https://verifier.example", &req)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	rec, err := f.store.Get(out.ID)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// answer posts form to rec's response endpoint.
func (f *fixture) answer(rec *Record, form url.Values) error {
	return f.v.Answer(context.Background(), rec.ID, []byte(form.Encode()))
}

func (f *fixture) status(t *testing.T, id string) string {
	t.Helper()
	rec, err := f.store.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	return rec.StatusAt(f.now)
}

func vpToken(id string) string { return `{"` + id + `":[{"type":"VerifiablePresentation"}]}` }

func wantOAuth(t *testing.T, name string, err error, contains string) {
	t.Helper()
	var oe *Error
	if !errors.As(err, &oe) || oe.Code != ErrInvalidRequest || !strings.Contains(oe.Description, contains) {
		t.Errorf("%s: %v, want invalid_request naming %q", name, err, contains)
	}
}

func TestVerifier_CreateSignsARequestObjectTheWalletVerifies(t *testing.T) {
	f := newFixture(t)
	rec := f.create(t, `{"dcql_query":`+degreeQuery+`,"purpose":"check your degree","response_mode":"direct_post.jwt","expiresIn":60}`)
	d := f.keys.dids["desk"][0]
	if rec.Status != api.VPPending || rec.DID != d || rec.ClientID != PrefixDecentralizedIdentifier+d || rec.EncKey == "" ||
		!rec.Expires.Equal(f.now.Add(time.Minute)) || !rec.RequireAccreditation {
		t.Fatalf("record: %+v", rec)
	}
	ro, err := f.v.RequestObject(rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := ParseRequestObject(ro, rec.ClientID, f.now)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := did.ParseDIDURL(d)
	res, err := did.KeyMethod{}.Resolve(context.Background(), u, did.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := pr.VerifyRequestObject(res.Document); err != nil {
		t.Fatalf("the request object does not verify: %v", err)
	}
	if pr.Nonce != rec.Nonce || pr.State != rec.State || pr.ResponseURI != "https://verifier.example/oid4vp/responses/"+rec.ID ||
		pr.Purpose != "check your degree" || pr.ClientMetadata.JWKS == nil || pr.ClientMetadata.ClientName != d {
		t.Errorf("request object: %+v", pr.RequestObject)
	}
	if got := f.status(t, rec.ID); got != api.VPRetrieved {
		t.Errorf("after the wallet fetched it: %s", got)
	}
}

func TestVerifier_CreateRefusesWhatItCannotAsk(t *testing.T) {
	f := newFixture(t)
	for name, tc := range map[string]struct{ body, code string }{
		"no query":            {`{}`, "presentationRequest.invalid"},
		"both":                {`{"dcql_query":` + degreeQuery + `,"presentation_definition":{"id":"x","input_descriptors":[]}}`, "presentationRequest.invalid"},
		"bad format":          {`{"dcql_query":{"credentials":[{"id":"a","format":"mso_mdoc","meta":{}}]}}`, "presentationRequest.invalid"},
		"bad mode":            {`{"dcql_query":` + degreeQuery + `,"response_mode":"fragment"}`, "presentationRequest.invalid"},
		"too long":            {`{"dcql_query":` + degreeQuery + `,"expiresIn":7200}`, "presentationRequest.invalid"},
		"too short":           {`{"dcql_query":` + degreeQuery + `,"expiresIn":5}`, "presentationRequest.invalid"},
		"long purpose":        {`{"dcql_query":` + degreeQuery + `,"purpose":"` + strings.Repeat("x", MaxPurposeBytes+1) + `"}`, "presentationRequest.invalid"},
		"trusted authorities": {`{"dcql_query":{"credentials":[{"id":"a","format":"ldp_vc","meta":{"type_values":[["X"]]},"trusted_authorities":[{"type":"aki","values":["s9tIpPmhxdiuNkHMEWNpYim8S8Y"]}]}]}}`, "presentationRequest.invalid"},
		"not our DID":         {`{"dcql_query":` + degreeQuery + `,"did":"did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"}`, "auth.notOwner"},
	} {
		var req api.PresentationRequestBody
		if err := json.Unmarshal([]byte(tc.body), &req); err != nil {
			t.Fatal(err)
		}
		_, err := f.v.Create(context.Background(), Caller{Account: "desk"}, "https://verifier.example", &req)
		if errs.Code(err) != tc.code {
			t.Errorf("%s: %v, want %s", name, err, tc.code)
		}
	}
	if len(f.store.recs) != 0 {
		t.Errorf("refused requests were stored: %d", len(f.store.recs))
	}
}

func TestVerifier_CreateVerifiesAsTheFirstWeidDID(t *testing.T) {
	f := newFixture(t)
	weid := "did:weid:1:0x0000000000000000000000000000000000000001"
	f.keys.dids["desk"] = append(f.keys.dids["desk"], weid)
	f.check.names[weid] = "Front Desk"
	rec := f.create(t, `{"dcql_query":`+degreeQuery+`}`)
	if rec.DID != weid || rec.ResponseMode != ResponseModeDirectPost || rec.EncKey != "" {
		t.Errorf("record: %+v", rec)
	}
	pr, err := ParseRequestObject(rec.RequestObject, rec.ClientID, f.now)
	if err != nil || pr.ClientMetadata.ClientName != "Front Desk" {
		t.Errorf("the verifier is not named by the trust registry: %v %+v", err, pr)
	}
	f.keys.dids["nobody"] = nil
	_, err = f.v.Create(context.Background(), Caller{Account: "nobody"}, "https://verifier.example", &api.PresentationRequestBody{DCQLQuery: json.RawMessage(degreeQuery)})
	if errs.Code(err) != "presentationRequest.invalid" {
		t.Errorf("an account without a DID: %v", err)
	}
}

func TestVerifier_AccountsKeepBoundedRequests(t *testing.T) {
	f := newFixture(t)
	f.store.index["desk"] = map[string]time.Time{}
	for i := range MaxRequestsPerAccount {
		f.store.index["desk"][fmt.Sprint("kept-", i)] = f.now
	}
	var req api.PresentationRequestBody
	_ = json.Unmarshal([]byte(`{"dcql_query":`+degreeQuery+`}`), &req)
	if _, err := f.v.Create(context.Background(), Caller{Account: "desk"}, "https://v.example", &req); errs.Code(err) != "presentationRequest.tooMany" {
		t.Fatalf("over the bound: %v", err)
	}
	// A day after they expired, requests are forgotten, making room.
	f.now = f.now.Add(RequestRetention + time.Second)
	if _, err := f.v.Create(context.Background(), Caller{Account: "desk"}, "https://v.example", &req); err != nil {
		t.Fatalf("after retention: %v", err)
	}
	if n := len(f.store.index["desk"]); n != 1 {
		t.Errorf("index entries: %d, want 1", n)
	}
}

func TestVerifier_RequestIsTheCallersOwn(t *testing.T) {
	f := newFixture(t)
	rec := f.create(t, `{"dcql_query":`+degreeQuery+`}`)
	for _, c := range []Caller{{Account: "desk"}, {Account: "admin", Admin: true}} {
		if _, err := f.v.Request(c, rec.ID); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	for _, id := range []string{rec.ID, "nope"} {
		if _, err := f.v.Request(Caller{Account: "other"}, id); errs.Code(err) != "presentationRequest.notFound" {
			t.Errorf("another account's %s: %v", id, err)
		}
	}
}

func TestVerifier_AnswerVerifiedKeepsOnlyTheRequestedClaims(t *testing.T) {
	f := newFixture(t)
	rec := f.create(t, `{"dcql_query":`+degreeQuery+`}`)
	changed, release := f.v.Watch(rec.ID)
	defer release()
	var seen credential.PresentationOptions
	verdict := f.check.verdict
	f.check.verdict = func(raw json.RawMessage, o credential.PresentationOptions) *credential.PresentationResult {
		seen = o
		return verdict(raw, o)
	}
	if err := f.answer(rec, url.Values{"state": {rec.State}, "vp_token": {vpToken("d")}}); err != nil {
		t.Fatal(err)
	}
	if seen.Challenge != rec.Nonce || seen.Domain != rec.ClientID || !seen.Policy.RequireAccreditation {
		t.Errorf("verified with %+v", seen)
	}
	select {
	case <-changed:
	default:
		t.Error("the watchers were not woken")
	}
	got, _ := f.store.Get(rec.ID)
	res := got.Result
	if got.Status != api.VPVerified || res == nil || !res.Verified || res.Holder != holderDID || got.Answered.IsZero() {
		t.Fatalf("record: %+v", got)
	}
	c := res.Credentials[0]
	want := map[string]any{"credentialSubject": map[string]any{"degree": "Bachelor of Laws"}}
	if fmt.Sprint(c.Claims) != fmt.Sprint(want) || c.IssuerName != "Example University" || c.QueryID != "d" || c.Format != FormatLDPVC || c.Status == nil {
		t.Errorf("credential: %+v", c)
	}
	if err := f.answer(rec, url.Values{"state": {rec.State}, "vp_token": {vpToken("d")}}); err == nil {
		t.Error("a second answer was accepted")
	}
}

func TestVerifier_AnswerNotBoundToTheRequestLeavesItOpen(t *testing.T) {
	for name, check := range map[string]string{
		"another nonce":      credential.CheckChallenge,
		"another audience":   credential.CheckDomain,
		"holder proof fails": credential.CheckHolderProof,
	} {
		f := newFixture(t)
		rec := f.create(t, `{"dcql_query":`+degreeQuery+`}`)
		verdict := f.check.verdict
		f.check.verdict = func(raw json.RawMessage, o credential.PresentationOptions) *credential.PresentationResult {
			v := verdict(raw, o)
			for i := range v.Checks {
				if v.Checks[i].Name == check {
					v.Checks[i].Status = credential.StatusFailed
				}
			}
			v.Verified = false
			return v
		}
		err := f.answer(rec, url.Values{"state": {rec.State}, "vp_token": {vpToken("d")}})
		wantOAuth(t, name, err, "stays open")
		if st := f.status(t, rec.ID); st != api.VPPending {
			t.Errorf("%s: status %s", name, st)
		}
	}
}

func TestVerifier_AnswerRejected(t *testing.T) {
	for name, tc := range map[string]struct {
		verdict func(json.RawMessage, credential.PresentationOptions) *credential.PresentationResult
		failed  string
	}{
		"another holder's credential": {diplomaVerdict(holderDID, "did:example:bob"), CheckHolderBinding},
		"no holder":                   {diplomaVerdict("", holderDID), CheckHolderBinding},
	} {
		f := newFixture(t)
		f.check.verdict = tc.verdict
		rec := f.create(t, `{"dcql_query":`+degreeQuery+`}`)
		wantOAuth(t, name, f.answer(rec, url.Values{"state": {rec.State}, "vp_token": {vpToken("d")}}), tc.failed)
		got, _ := f.store.Get(rec.ID)
		if got.Status != api.VPRejected || got.Result.Verified || got.Result.Errors[0].Name != tc.failed {
			t.Errorf("%s: %+v", name, got.Result)
		}
	}
	f := newFixture(t)
	rec := f.create(t, `{"dcql_query":{"credentials":[{"id":"d","format":"ldp_vc","meta":{"type_values":[["DrivingLicence"]]}}]}}`)
	wantOAuth(t, "another credential", f.answer(rec, url.Values{"state": {rec.State}, "vp_token": {vpToken("d")}}), CheckQuery)
}

func TestVerifier_ProtocolErrorsChangeNothing(t *testing.T) {
	f := newFixture(t)
	rec := f.create(t, `{"dcql_query":`+degreeQuery+`}`)
	for name, form := range map[string]url.Values{
		"wrong state":        {"state": {"not-it"}, "vp_token": {vpToken("d")}},
		"no state":           {"vp_token": {vpToken("d")}},
		"unknown query id":   {"state": {rec.State}, "vp_token": {vpToken("x")}},
		"query not answered": {"state": {rec.State}, "vp_token": {`{}`}},
		"encrypted, unasked": {"state": {rec.State}, "response": {"a.b.c.d.e"}},
	} {
		var oe *Error
		if err := f.answer(rec, form); !errors.As(err, &oe) || oe.Code != ErrInvalidRequest {
			t.Errorf("%s: %v", name, err)
		}
	}
	if st := f.status(t, rec.ID); st != api.VPPending {
		t.Errorf("status %s", st)
	}
	wantOAuth(t, "unknown request", f.v.Answer(context.Background(), "nope", nil), "no presentation request")
	f.now = rec.Expires.Add(time.Second)
	wantOAuth(t, "expired", f.answer(rec, url.Values{"state": {rec.State}, "vp_token": {vpToken("d")}}), "expired")
	if _, err := f.v.RequestObject(rec.ID); errs.Code(err) != "presentationRequest.notFound" {
		t.Errorf("an expired request object is served: %v", err)
	}
}

func TestVerifier_WalletErrorIsRecordedAsRejected(t *testing.T) {
	f := newFixture(t)
	rec := f.create(t, `{"dcql_query":`+degreeQuery+`}`)
	if err := f.answer(rec, url.Values{"state": {rec.State}, "error": {ErrAccessDenied}}); err != nil {
		t.Fatal(err)
	}
	got, _ := f.store.Get(rec.ID)
	if got.Status != api.VPRejected || got.Result.WalletError != ErrAccessDenied {
		t.Errorf("record: %+v", got)
	}
}

func TestVerifier_ConcurrentAnswersOneWins(t *testing.T) {
	f := newFixture(t)
	rec := f.create(t, `{"dcql_query":`+degreeQuery+`}`)
	release, err := f.v.claim(rec.ID) // an answer being verified
	if err != nil {
		t.Fatal(err)
	}
	wantOAuth(t, "while another is verified", f.answer(rec, url.Values{"state": {rec.State}, "vp_token": {vpToken("d")}}), "being answered")
	release()
	if err := f.answer(rec, url.Values{"state": {rec.State}, "vp_token": {vpToken("d")}}); err != nil {
		t.Errorf("after: %v", err)
	}
}

// The sweeper drops the decryption key of a request that can no longer be
// answered, and forgets requests a day after they expired, of any account.
func TestVerifier_SweepForgetsOldRequests(t *testing.T) {
	f := newFixture(t)
	enc := f.create(t, `{"dcql_query":`+degreeQuery+`,"response_mode":"direct_post.jwt"}`)
	plain := f.create(t, `{"dcql_query":`+degreeQuery+`}`)
	if err := f.v.Sweep(f.now); err != nil {
		t.Fatal(err)
	}
	if rec, _ := f.store.Get(enc.ID); rec.EncKey == "" {
		t.Fatal("an open request's key was dropped")
	}
	if err := f.v.Sweep(enc.Expires.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if rec, _ := f.store.Get(enc.ID); rec.EncKey != "" {
		t.Fatal("an expired request keeps its key")
	}
	if err := f.v.Sweep(plain.Expires.Add(RequestRetention + time.Minute)); err != nil {
		t.Fatal(err)
	}
	if len(f.store.recs) != 0 || len(f.store.index["desk"]) != 0 {
		t.Errorf("kept: %v %v", f.store.recs, f.store.index)
	}
}

// The bound on event streams is shared by the accounts, each within its
// own; the wake-up channel of a request is forgotten when its last stream
// leaves, notified or not.
func TestVerifier_StreamBoundsAndWatchers(t *testing.T) {
	v := NewVerifier(newMemStore(), nil, nil)
	closers := map[string]func(){}
	for i := range MaxEventStreams {
		c, err := v.OpenStream(fmt.Sprint("account-", i/MaxEventStreamsPerAccount))
		if err != nil {
			t.Fatalf("stream %d: %v", i, err)
		}
		closers[fmt.Sprint("account-", i/MaxEventStreamsPerAccount)] = c
	}
	if _, err := v.OpenStream("another"); err == nil {
		t.Fatal("the node's bound was passed")
	}
	closers["account-0"]()
	if _, err := v.OpenStream("another"); err != nil {
		t.Fatalf("a closed stream's place: %v", err)
	}
	if _, err := v.OpenStream("another"); err == nil {
		t.Fatal("the node's bound was passed")
	}
	v2 := NewVerifier(newMemStore(), nil, nil)
	for range MaxEventStreamsPerAccount {
		if _, err := v2.OpenStream("one"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := v2.OpenStream("one"); errs.Code(err) != "presentationRequest.tooManyStreams" {
		t.Fatalf("the account's bound was passed: %v", err)
	}

	_, release1 := v.Watch("r1")
	ch2, release2 := v.Watch("r1")
	release1()
	if len(v.watchers) != 1 {
		t.Fatalf("watchers after one of two left: %d", len(v.watchers))
	}
	release2()
	if len(v.watchers) != 0 {
		t.Fatalf("watchers after both left (the request expired while watched): %d", len(v.watchers))
	}
	ch3, release3 := v.Watch("r1")
	v.mu.Lock()
	v.notifyLocked("r1")
	v.mu.Unlock()
	<-ch3
	_, release4 := v.Watch("r1") // a new channel after the change
	release3()                   // the notified one leaving does not drop the new one
	if len(v.watchers) != 1 {
		t.Fatalf("watchers: %d", len(v.watchers))
	}
	release4()
	select {
	case <-ch2:
		t.Fatal("a released channel was closed")
	default:
	}
	v.Shutdown()
	v.Shutdown()
	<-v.Done()
}

// FuzzVerifierAnswer: no response body panics or fails on the verifier's
// side; a body that is not an answer with the request's state changes
// nothing, and one that changes the request ends it as verified or
// rejected.
func FuzzVerifierAnswer(f *testing.F) {
	f.Add("state=s&vp_token=" + url.QueryEscape(vpToken("d")))
	f.Add("state=s&error=access_denied")
	f.Add("state=s&vp_token=" + url.QueryEscape(`{"d":["a~b~"]}`))
	f.Add("state=s&vp_token=%7B%7D")
	f.Add("state=x&response=a.b.c.d.e")
	fx := newFixture(f)
	f.Fuzz(func(t *testing.T, body string) {
		rec := fx.create(t, `{"dcql_query":`+degreeQuery+`}`)
		rec.State = "s"
		if err := fx.store.Put(rec); err != nil {
			t.Fatal(err)
		}
		err := fx.v.Answer(context.Background(), rec.ID, []byte(body))
		var oe *Error
		if err != nil && !errors.As(err, &oe) {
			t.Fatalf("%v is not an OAuth error", err)
		}
		got, _ := fx.store.Get(rec.ID)
		switch got.Status {
		case api.VPPending:
		case api.VPVerified, api.VPRejected:
			if form, perr := url.ParseQuery(body); perr != nil || form.Get("state") != "s" {
				t.Fatalf("a body without the request's state ended it: %q", body)
			}
		default:
			t.Fatalf("status %q", got.Status)
		}
		if err := fx.store.Delete(rec.Account, rec.ID); err != nil {
			t.Fatal(err)
		}
	})
}

// TestVerifier_AmbiguousAnswersChangeNothing: an answer two readers could
// read two ways (a member named twice, an error response carrying a
// vp_token) is refused as invalid_request naming what is wrong, and the
// request stays open.
func TestVerifier_AmbiguousAnswersChangeNothing(t *testing.T) {
	f := newFixture(t)
	rec := f.create(t, `{"dcql_query":`+degreeQuery+`}`)
	for name, tc := range map[string]struct {
		form url.Values
		want string
	}{
		"vp_token id twice": {url.Values{"state": {rec.State}, "vp_token": {`{"d":["not-a-presentation"],"d":[{"type":"VerifiablePresentation"}]}`}}, `member "d" appears twice`},
		"submission id twice": {url.Values{"state": {rec.State}, "vp_token": {vpToken("d")},
			"presentation_submission": {`{"id":"a","id":"b","definition_id":"x","descriptor_map":[]}`}}, `member "id" appears twice`},
		"error with a vp_token":   {url.Values{"state": {rec.State}, "error": {ErrAccessDenied}, "vp_token": {vpToken("d")}}, "vp_token"},
		"error with a response":   {url.Values{"state": {rec.State}, "error": {ErrAccessDenied}, "response": {"a.b.c.d.e"}}, "response"},
		"error with a submission": {url.Values{"state": {rec.State}, "error": {ErrAccessDenied}, "presentation_submission": {`{}`}}, "presentation_submission"},
	} {
		wantOAuth(t, name, f.answer(rec, tc.form), tc.want)
	}
	if st := f.status(t, rec.ID); st != api.VPPending {
		t.Errorf("status %s", st)
	}
}
