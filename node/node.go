// Package node wires a weid node together: the ledger and its transaction
// types (NewRegistry), the consensus engine, the keystore and the DID
// resolver. It creates the genesis block on first start.
//
// It is also the facade the HTTP handlers (server/…) call: domain
// operations, one file per area (custody.go for custodial DIDs,
// governance.go, schemas.go, evidence.go, grants.go, credentials.go and
// issuance.go, status.go, ledger.go, events.go, accounts.go, admintoken.go
// for the admin token's rotation), and one write path for every
// transaction an endpoint takes, client-signed or custodial (Write,
// write.go). The OpenID4VCI issuer's and OpenID4VP verifier's stores and
// backends are implemented here (oid4vci.go, oid4vp.go).
package node

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/chain/cometbft"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/did/weid"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/events"
	"github.com/weidgo/weid/evidence"
	"github.com/weidgo/weid/grants"
	"github.com/weidgo/weid/hsm"
	"github.com/weidgo/weid/internal/durable"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/keystore"
	"github.com/weidgo/weid/schemas"
	"github.com/weidgo/weid/status"
	"github.com/weidgo/weid/txn"
)

// Config configures a node.
type Config struct {
	// DataDir holds the ledger, the keystore and admin.token.
	DataDir string
	// ChainID names the chain at genesis (default "1"); ignored afterwards.
	ChainID string
	// Engine is the consensus engine: "solo" (default) or "cometbft", whose
	// home (CometBFT's config and data, weid-node.json) is DataDir; an
	// empty DataDir becomes a single-validator network.
	Engine string
	// CometLogLevel is CometBFT's log level (default "error").
	CometLogLevel string
	// CommitWait bounds how long a write waits for its block under the
	// cometbft engine before the API answers 202 with a Location to poll
	// (default: CometBFT's timeout_propose + timeout_commit +
	// cometbft.DefaultCommitSlack). The solo engine waits for the block.
	CommitWait time.Duration
	// SkipStateReplay skips, under the cometbft engine, the replay of the
	// whole chain that checks the stored state at start (its cost grows
	// with the chain); the cheap check of the last blocks still runs. Who
	// sets it should gate starts on "weid ledger verify --data" instead.
	SkipStateReplay bool
	// SnapshotInterval: under the cometbft engine, a state snapshot every
	// that many CometBFT heights, served to nodes that join by state sync
	// (0: none).
	SnapshotInterval uint64
	// PeerFilter: under the cometbft engine, admit as P2P peers only the
	// nodes the ledger names, validators by their recorded node id and
	// registered observers (cometbft.Config.PeerFilter).
	PeerFilter bool
	// Solo tunes the solo engine's group commit.
	Solo chain.SoloConfig
	// KeystorePassphrase, if set, seals the keystore (WEID_KEYSTORE_PASSPHRASE).
	KeystorePassphrase []byte
	// AdminKey is the genesis admin's key; generated if nil.
	AdminKey *keys.PrivateKey
	// DIDWebHosts enables did:web resolution for these hosts only.
	DIDWebHosts []string
	// Registerer receives the node's metrics (nil: none).
	Registerer prometheus.Registerer
	// Crypto is the crypto suite of a new chain: "standard" (default,
	// SHA-256) or "gm" (国密: SM3 hashes, SM2 node and admin keys, SM2
	// signers only). An existing chain keeps its genesis's; naming another
	// one is an error.
	Crypto string
	// PKCS11, if set, keeps the node's keys in a PKCS#11 token (see
	// OpenToken); PKCS11URI is an RFC 7512 URI filling what it leaves empty.
	PKCS11    hsm.Config
	PKCS11URI string
	// EventBuffer is each live event subscriber's buffer, in events
	// (default events.DefaultBuffer): one further behind is cut off.
	EventBuffer int
	// WebhookAllowHosts are receiver hosts webhook subscriptions may name
	// even though they are internal (loopback, private ranges).
	WebhookAllowHosts []string
	// WebhookMaxFailures pauses a subscription after this many failed
	// attempts at one event (default webhooks.DefaultMaxFailures).
	WebhookMaxFailures int
	// EventsNATS, if set, is a NATS server URL (a comma list for a
	// cluster) to which the node also publishes every event, into the
	// JetStream stream EventsNATSStream (default natsjs.DefaultStream).
	EventsNATS       string
	EventsNATSStream string
}

// Node is a running weid node.
type Node struct {
	Ledger   *chain.Ledger
	Engine   chain.Engine
	Keystore *keystore.Store
	Resolver *did.Resolver
	// offline resolves the DID methods the node resolves without the
	// network (did:weid of its ledger, did:key, did:jwk): what the
	// declared issuer policy checks (credential.Signer.Declared).
	offline  *did.Resolver
	ChainID  string
	AdminDID string
	// Schemas caches compiled credential schemas for issuing and verifying.
	Schemas *schemas.Validator
	// Status reads credentials' status entries from the ledger's status
	// lists (with a cache invalidated by list updates).
	Status  *status.Checker
	metrics *chain.Metrics

	// events derives the ledger's events for live subscribers (node/events.go).
	events     *events.Hub
	stopEvents func() // stops the hub and waits for it
	stopNATS   func() // stops the NATS JetStream publisher, if any
	hooks      *hooks // webhook deliveries (node/webhooks.go)

	alloc    *status.Allocator // status list indices handed out by this node
	statusMu sync.Mutex        // serializes status list creation
	tokens   statusTokens      // signed Status List Tokens, per list version
	lists    statusLists       // status list credentials as served, per form
	token    *hsm.Module       // the PKCS#11 token keeping the keys, or nil
	commits  commitCache       // the head's consensus commit, for state proofs

	dataDir      string     // holds admin.token
	adminTokenMu sync.Mutex // serializes rotations of the admin token
}

// Keystore ids of the node's own keys.
const (
	nodeKeyID  = "node"
	TokenFile  = "admin.token"
	AdminOwner = "admin"
)

// NewRegistry returns the registry of every transaction type a node accepts.
func NewRegistry() *chain.Registry {
	r := chain.NewRegistry()
	weid.Register(r)
	authz.Register(r)
	schemas.Register(r)
	evidence.Register(r)
	grants.Register(r)
	status.Register(r)
	return r
}

// ErrInitialized is returned by Init on a data directory that has a chain.
var ErrInitialized = errors.New("the data directory already holds a chain")

// Init creates the genesis block in an empty data directory: the node key,
// the consortium admin's DID and key (sealed in the keystore) and the admin
// API token, written to <data>/admin.token with mode 0600 and kept hashed.
func Init(cfg Config) (adminDID, tokenPath string, err error) {
	n, err := open(cfg, true)
	if err != nil {
		return "", "", err
	}
	defer n.Close()
	return n.AdminDID, filepath.Join(cfg.DataDir, TokenFile), nil
}

// Open starts a node on cfg.DataDir, creating its genesis on first start.
func Open(cfg Config) (*Node, error) { return open(cfg, false) }

func open(cfg Config, mustInit bool) (*Node, error) {
	if cfg.DataDir == "" {
		cfg.DataDir = "data"
	}
	if cfg.ChainID == "" {
		cfg.ChainID = "1"
	}
	if cfg.Engine == "" {
		cfg.Engine = "solo"
	}
	bft := cfg.Engine == "cometbft"
	if cfg.Engine != "solo" && !bft {
		return nil, fmt.Errorf("engine %q is not available (this build has: solo, cometbft)", cfg.Engine)
	}
	// The settings, then the token: an unknown suite, a module that does
	// not load or a wrong PIN must leave nothing written.
	if err := checkSuiteConfig(cfg); err != nil {
		return nil, err
	}
	token, err := OpenToken(cfg)
	if err != nil {
		return nil, err
	}
	opened := false
	defer func() {
		if !opened && token != nil {
			token.Close()
		}
	}()
	if err := durable.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, err
	}
	if bft && !cometbft.IsHome(cfg.DataDir) {
		if _, err := os.Stat(filepath.Join(cfg.DataDir, "ledger")); err == nil {
			return nil, fmt.Errorf("%s holds a solo chain, not a CometBFT home", cfg.DataDir)
		}
		if _, _, err := InitConsortium(ConsortiumConfig{Homes: []string{cfg.DataDir}, Validators: 1, ChainID: cfg.ChainID,
			KeystorePassphrase: cfg.KeystorePassphrase, AdminKey: cfg.AdminKey, Crypto: cfg.Crypto}); err != nil {
			return nil, err
		}
	} else if bft && mustInit {
		return nil, ErrInitialized
	}
	ks, err := openKeystore(cfg, token)
	if err != nil {
		return nil, err
	}
	// A rotation of the admin token that a crash interrupted is finished
	// or undone before anyone reads admin.token.
	if err := settleAdminToken(ks, cfg.DataDir); err != nil {
		closeKeystore(ks, token)
		return nil, fmt.Errorf("admin token: %w", err)
	}
	l, err := chain.Open(filepath.Join(cfg.DataDir, "ledger"), NewRegistry())
	if err != nil {
		closeKeystore(ks, token)
		return nil, err
	}
	n := &Node{Ledger: l, Keystore: ks, Schemas: schemas.NewValidator(schemas.DefaultCacheSize), Status: &status.Checker{},
		alloc: status.NewAllocator(ks.Namespace("status-alloc/")), token: token, dataDir: cfg.DataDir}
	// Before any engine commits: the hook is an atomic load while nobody subscribes.
	n.events = events.NewHub(l, cfg.EventBuffer)
	l.OnCommit(n.events.Committed)
	watchRules := n.watchRules()
	l.OnCommit(watchRules)
	if cfg.Registerer != nil {
		n.metrics = chain.NewMetrics(cfg.Registerer)
		l.SetMetrics(n.metrics)
	}
	fail := func(err error) (*Node, error) {
		l.Close()
		closeKeystore(ks, token)
		return nil, err
	}
	if bft {
		// CometBFT's handshake commits the genesis (InitChain) on an empty ledger.
	} else if l.Head().Empty {
		if err := n.genesis(cfg); err != nil {
			return fail(fmt.Errorf("genesis: %w", err))
		}
	} else if mustInit {
		return fail(ErrInitialized)
	} else if err := checkCrypto(cfg.Crypto, l); err != nil {
		return fail(err)
	}
	nodeKey, _, err := ks.Key(nodeKeyID)
	if err != nil {
		return fail(fmt.Errorf("node key: %w", err))
	}
	if bft {
		e, err := cometbft.Start(cometbft.Config{Home: cfg.DataDir, Ledger: l, BlockKey: nodeKey, LogLevel: cfg.CometLogLevel, CommitWait: cfg.CommitWait, SkipStateCheck: cfg.SkipStateReplay,
			Snapshots: cometbft.SnapshotConfig{Interval: cfg.SnapshotInterval}, Register: func() (cometbft.Register, error) { return register(l) },
			PeerFilter: cfg.PeerFilter})
		if err != nil {
			return fail(err)
		}
		n.Engine = e
		fail = func(err error) (*Node, error) {
			e.Close()
			l.Close()
			closeKeystore(ks, token)
			return nil, err
		}
	}
	init, err := chain.InitRecord(l)
	if err != nil {
		return fail(err)
	}
	if init.NodeKey != nodeKey.Public().Multibase() {
		return fail(errors.New("the keystore's node key is not the key this chain's genesis names"))
	}
	n.ChainID = l.ChainID()
	n.AdminDID = init.Admins[0]
	watchRules(nil) // a ledger halted before this start says so now
	if !bft {
		n.Engine = chain.NewSolo(l, nodeKey, cfg.Solo)
	}
	methods := map[string]did.MethodResolver{
		"weid": weid.NewMethod(l),
		"key":  did.KeyMethod{},
		"jwk":  did.JWKMethod{},
	}
	n.offline = did.NewResolver(methods)
	if len(cfg.DIDWebHosts) > 0 {
		methods["web"] = &did.WebMethod{AllowedHosts: cfg.DIDWebHosts}
	}
	n.Resolver = did.NewResolver(methods)
	n.startEvents()
	if err := n.startWebhooks(cfg); err != nil {
		n.stopEvents()
		return fail(err)
	}
	if err := n.startNATS(cfg); err != nil {
		n.stopWebhooks()
		n.stopEvents()
		return fail(err)
	}
	opened = true
	return n, nil
}

func (n *Node) genesis(cfg Config) error {
	kt, err := genesisKeyType(cfg.Crypto, cfg.AdminKey)
	if err != nil {
		return err
	}
	suite, _ := chain.ParseSuite(cfg.Crypto)
	n.Ledger.Registry().SetCrypto(suite, (&chain.InitPayload{Crypto: cfg.Crypto}).AllowedKeys(suite))
	nodeKey, err := n.Keystore.GenerateKey(kt, "weid node block key")
	if err != nil {
		return err
	}
	admin := cfg.AdminKey
	if admin == nil {
		admin, err = n.Keystore.GenerateKey(kt, "weid admin")
	} else {
		admin, err = n.Keystore.ImportKey(admin, "weid admin")
	}
	if err != nil {
		return err
	}
	adminDID := did.WeidDID(cfg.ChainID, admin.Public())
	adminVM := adminDID + "#" + did.FirstKeyFragment
	if err := n.Keystore.PutKey(nodeKeyID, AdminOwner, nodeKey); err != nil {
		return err
	}
	if err := n.Keystore.PutKey(adminVM, AdminOwner, admin); err != nil {
		return err
	}
	if err := n.Keystore.SetSigner(adminDID, adminVM); err != nil {
		return err
	}
	if err := writeAdminToken(n.Keystore, cfg.DataDir); err != nil {
		return err
	}
	create, err := signGenesisTx(cfg.ChainID, adminVM, admin, did.TxCreate, &did.CreatePayload{DID: adminDID, PublicKeyMultibase: admin.Public().Multibase()})
	if err != nil {
		return err
	}
	crypto := cfg.Crypto
	if crypto == chain.CryptoStandard {
		crypto = "" // today's genesis, byte for byte
	}
	init, err := signGenesisTx(cfg.ChainID, adminVM, admin, chain.TypeChainInit, &chain.InitPayload{NodeKey: nodeKey.Public().Multibase(), Admins: []string{adminDID}, Crypto: crypto,
		Rules: n.Ledger.Registry().KnownRules()})
	if err != nil {
		return err
	}
	txs := []*chain.Tx{create, init}
	// The system schemas (ids below 1000): a data-authorization grant and
	// worked certificate examples.
	for _, sys := range schemas.SystemSchemas() {
		tx, err := signGenesisTx(cfg.ChainID, adminVM, admin, schemas.TxRegister, sys.Payload())
		if err != nil {
			return err
		}
		txs = append(txs, tx)
	}
	var cs []*chain.Checked
	for _, tx := range txs {
		c, err := n.Ledger.Registry().CheckTx(cfg.ChainID, tx)
		if err != nil {
			return err
		}
		cs = append(cs, c)
	}
	_, res, err := n.Ledger.Commit(cs, nodeKey, time.Now())
	if err != nil {
		return err
	}
	for _, r := range res {
		if r.Err != nil {
			return r.Err
		}
	}
	return nil
}

// SignTx builds and signs a transaction; the nonce is the current time in
// nanoseconds, masked to 53 bits, which a signer never repeats in practice,
// and it stays valid for txn.DefaultValidity (validUntil: now + 10 minutes).
func SignTx(chainID, from string, k *keys.PrivateKey, typ string, payload any) (*chain.Tx, error) {
	return SignTxUntil(chainID, from, k, typ, payload, txn.ValidFor(time.Now(), txn.DefaultValidity))
}

// signGenesisTx signs a genesis transaction: without validUntil, since a
// consortium's genesis is committed at the time its genesis.json names.
func signGenesisTx(chainID, from string, k *keys.PrivateKey, typ string, payload any) (*chain.Tx, error) {
	return SignTxUntil(chainID, from, k, typ, payload, "")
}

// SignTxUntil is SignTx with the given validUntil (a block height, an
// RFC 3339 time, or "": valid until its nonce is used).
func SignTxUntil(chainID, from string, k *keys.PrivateKey, typ string, payload any, validUntil string) (*chain.Tx, error) {
	raw, err := jsonMarshal(payload)
	if err != nil {
		return nil, err
	}
	tx := &chain.Tx{ChainID: chainID, Type: typ, From: from, Nonce: NewNonce(), Payload: raw, ValidUntil: validUntil}
	if err := tx.Sign(k); err != nil {
		return nil, err
	}
	return tx, nil
}

// Submit checks a received transaction and hands it to the engine. With
// async it returns once the transaction is accepted into the mempool.
func (n *Node) Submit(ctx context.Context, tx *chain.Tx, async bool) (chain.Receipt, error) {
	rc, _, err := n.SubmitChecked(ctx, tx, async)
	return rc, err
}

// SubmitChecked is Submit that also returns the checked transaction, whose
// decoded payload callers may use instead of decoding it again.
func (n *Node) SubmitChecked(ctx context.Context, tx *chain.Tx, async bool) (chain.Receipt, *chain.Checked, error) {
	return n.submit(ctx, tx, async, nil)
}

// submit checks tx (check) and hands it to the engine.
func (n *Node) submit(ctx context.Context, tx *chain.Tx, async bool, also func(chain.Payload) error) (chain.Receipt, *chain.Checked, error) {
	c, err := n.check(tx, also)
	if err != nil {
		n.metrics.Rejected(errs.Code(err))
		return chain.Receipt{}, nil, err
	}
	if async {
		if err := n.Engine.SubmitAsync(c); err != nil {
			return chain.Receipt{}, c, err
		}
		return chain.Receipt{TxHash: c.Hash, Pending: true}, c, nil
	}
	rc, err := n.Engine.Submit(ctx, c)
	return rc, c, err
}

// settle makes err, if it says that a write stopped waiting for its block
// (a *chain.PendingError: the transaction is in the mempool and may still
// commit), the write's receipt marked Pending, so that its caller answers
// 202 with what it wrote (the DID it generated, the token of an account)
// rather than a bare receipt. Any other outcome is returned as it is.
func settle(rc chain.Receipt, err error) (chain.Receipt, error) {
	var pe *chain.PendingError
	if errors.As(err, &pe) {
		return chain.Receipt{TxHash: pe.Hash, Pending: true}, nil
	}
	return rc, err
}

// check runs the stateless checks on tx, then also (if any) on its decoded
// payload, and checks its signature (and what its type pre-verifies)
// against the committed state here, in the caller's goroutine, so that
// signature checks run in parallel (the block only re-checks that the key
// holds). The engine is told the transaction is coming while it is checked
// (chain.Announcer).
func (n *Node) check(tx *chain.Tx, also func(chain.Payload) error) (*chain.Checked, error) {
	if a, ok := n.Engine.(chain.Announcer); ok {
		a.Announce()
		defer a.Withdraw()
	}
	c, err := n.Ledger.Registry().CheckTx(n.ChainID, tx)
	if err != nil {
		return nil, err
	}
	if err := n.Ledger.CheckRules(c); err != nil { // as CometBFT's CheckTx makes it
		return nil, err
	}
	if tx.ValidUntil != "" {
		// What no block would take is refused now: the next block's height,
		// and this node's clock for its time (the block decides, with its own).
		if err := c.CheckExpiry(n.Ledger.Head().Height+1, time.Now()); err != nil {
			return nil, err
		}
	}
	if also != nil {
		if err := also(c.Payload); err != nil {
			return nil, err
		}
	}
	_ = n.Ledger.Registry().PreVerify(n.Ledger, c)
	return c, nil
}

// SubmitRaw decodes and submits a transaction as received. A body null,
// which DecodeTx reads as a transaction with nothing in it, is refused as
// any other body that is not an object is.
func (n *Node) SubmitRaw(ctx context.Context, raw []byte, async bool) (chain.Receipt, error) {
	if err := txn.CheckBody(raw, &chain.Tx{}); err != nil {
		return chain.Receipt{}, errs.BadRequest("tx.malformed", "decode transaction: %v", err)
	}
	tx, err := chain.DecodeTx(raw)
	if err != nil {
		return chain.Receipt{}, err
	}
	return n.Submit(ctx, tx, async)
}

// SignerKey returns the custodial key an account uses to sign for did.
func (n *Node) SignerKey(account *keystore.Account, d string) (string, *keys.PrivateKey, error) {
	vm, k, owner, err := n.CustodialKey(d)
	if err != nil {
		return "", nil, err
	}
	if owner != account.Name {
		return "", nil, errs.New(http.StatusForbidden, "auth.notOwner", "%s belongs to another account", d)
	}
	return vm, k, nil
}

// CustodialKey returns the verification method and key the node signs
// with for did, and the account that owns them, whoever asks: callers
// decide who may use it (SignerKey: only the owner; a status list is
// published signed by its issuer whoever reads it).
func (n *Node) CustodialKey(d string) (vm string, k *keys.PrivateKey, owner string, err error) {
	vm, err = n.Keystore.Signer(d)
	if err != nil {
		return "", nil, "", errs.New(http.StatusForbidden, "auth.notCustodian", "this node holds no key for %s", d)
	}
	// A rotation whose transaction committed but whose SetSigner did not
	// (a crash between the two) left a pending signer: adopt it once the
	// ledger shows it is the DID's authentication key.
	if pending, perr := n.Keystore.PendingSigner(d); perr == nil && pending != vm {
		if _, aerr := weid.AuthenticationKey(n.Ledger, pending); aerr == nil {
			if err := n.Keystore.SetSigner(d, pending); err == nil {
				vm = pending
			}
		}
	}
	k, owner, err = n.Keystore.Key(vm)
	if errors.Is(err, keystore.ErrNotFound) {
		return "", nil, "", errs.New(http.StatusForbidden, "auth.notCustodian", "this node holds no key for %s", vm)
	}
	if err != nil {
		return "", nil, "", err
	}
	return vm, k, owner, nil
}

// Close stops the engine (committing what it accepted) and closes the stores.
func (n *Node) Close() error {
	var err error
	if n.Engine != nil {
		err = n.Engine.Close()
	}
	n.stopWebhooks()
	if n.stopNATS != nil {
		n.stopNATS()
	}
	if n.stopEvents != nil {
		n.stopEvents()
	}
	return errors.Join(err, n.Ledger.Close(), closeKeystore(n.Keystore, n.token))
}
