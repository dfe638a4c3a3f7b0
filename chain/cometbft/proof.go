package cometbft

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	cmtmath "github.com/cometbft/cometbft/libs/math"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
)

// metaBlock + a weid height is the ledger metadata key of the CometBFT
// height whose FinalizeBlock made that weid block (0 for the genesis block,
// which InitChain makes).
const metaBlock = "cometbft/block/"

func metaBlockKey(weidHeight uint64) string {
	return metaBlock + strconv.FormatUint(weidHeight, 10)
}

// CometHeight returns the CometBFT height that made the weid block at
// weidHeight (0 for the genesis block); ok is false for a block made
// before weid recorded it.
func (a *App) CometHeight(weidHeight uint64) (h int64, ok bool, err error) {
	v, ok, err := a.l.Meta(metaBlockKey(weidHeight))
	if err != nil || !ok {
		return 0, false, err
	}
	if len(v) != 8 {
		return 0, false, fmt.Errorf("ledger metadata %s is corrupt", metaBlockKey(weidHeight))
	}
	return int64(binary.BigEndian.Uint64(v)), true, nil
}

// CommitProof returns the CometBFT header that carries the app hash after
// the weid block at weidHeight, with the commit that signs it. That header
// is the one of the CometBFT block after the one that made the weid block
// (CometBFT makes it at once: an app hash changed).
func (e *Engine) CommitProof(weidHeight uint64) (*chain.CommitProof, error) {
	b, err := e.app.l.Block(weidHeight)
	if err != nil {
		return nil, err
	}
	h, ok, err := e.app.CometHeight(weidHeight)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errs.New(http.StatusNotFound, "ledger.noCommitProof", "this node did not record which CometBFT block made weid block %d (made before weid recorded it)", weidHeight)
	}
	next := h + 1
	if last := e.node.BlockStore().Height(); next > last {
		return nil, errs.New(http.StatusNotFound, "ledger.noCommitProof", "the CometBFT block that signs weid block %d's app hash (height %d) is not committed yet; retry in a moment", weidHeight, next)
	}
	rc, err := e.rpc.Commit(nil, &next)
	if err != nil {
		return nil, errs.Wrap(http.StatusServiceUnavailable, "ledger.unavailable", err)
	}
	raw, err := cmtjson.Marshal(rc.SignedHeader)
	if err != nil {
		return nil, err
	}
	return &chain.CommitProof{WeidHeight: weidHeight, AppHash: b.Header.AppHash, CometHeight: next, SignedHeader: raw}, nil
}

// ValidatorSet is a validator set as weid records it: power by Ed25519
// key (the raw 32 bytes as a string).
type ValidatorSet map[string]int64

// Apply applies the validator changes among the transactions of block b
// (checked with reg: the payloads that implement ValidatorChange) to s.
func (s ValidatorSet) Apply(reg *chain.Registry, b *chain.Block) error {
	for i, tx := range b.Txs {
		c, err := reg.CheckTx(b.Header.ChainID, tx)
		if err != nil {
			return fmt.Errorf("block %d tx %d: %w", b.Header.Height, i, err)
		}
		vc, ok := c.Payload.(ValidatorChange)
		if !ok {
			continue
		}
		pub, power := vc.ValidatorChange()
		if power == 0 {
			delete(s, string(pub))
		} else {
			s[string(pub)] = power
		}
	}
	return nil
}

// ProofResult is what VerifyCommitProof established.
type ProofResult struct {
	CometChainID string `json:"cometChainId"`
	CometHeight  int64  `json:"cometHeight"`
	Validators   int    `json:"validators"`
	Signers      int    `json:"signers"` // validators whose signature is in the commit
	SignedPower  int64  `json:"signedPower"`
	TotalPower   int64  `json:"totalPower"`
	// Time is the CometBFT header's time: when the validators signed it.
	Time time.Time `json:"time"`
	// Trusted is set when the header's validator set is not the trusted
	// one (VerifyCommitProofFrom): how much of the trusted set signed.
	Trusted *TrustedSigners `json:"trusted,omitempty"`
}

// TrustedSigners is the part of a trusted validator set that signed a
// commit made by a later set.
type TrustedSigners struct {
	Validators  int   `json:"validators"`
	Signers     int   `json:"signers"`
	SignedPower int64 `json:"signedPower"`
	TotalPower  int64 `json:"totalPower"`
}

// ErrValidatorSetChanged is VerifyCommitProof's error for a header whose
// validator set is not the one given: the set changed since (see
// VerifyCommitProofFrom), or the header is not the chain's.
var ErrValidatorSetChanged = errors.New("the header names another validator set")

// VerifyCommitProof checks p against the app hash of the weid block it
// proves and the validator set that must have signed it, as the weid chain
// records it (the genesis validators and the changes of every block before
// the proved one: a change committed at one CometBFT height applies two
// heights later): that the header carries the app hash, that its validator
// set is that set, and that the commit holds signatures of more than two
// thirds of that set's voting power for that header.
func VerifyCommitProof(p *chain.CommitProof, appHash string, set ValidatorSet) (*ProofResult, error) {
	sh, err := decodeSignedHeader(p, appHash)
	if err != nil {
		return nil, err
	}
	if len(set) == 0 {
		return nil, fmt.Errorf("the weid chain records no validators (a chain made before weid recorded them): nothing to check the signatures against")
	}
	vs := set.cmt()
	if !bytes.Equal(vs.Hash(), sh.ValidatorsHash) {
		return nil, fmt.Errorf("%w: CometBFT block %d names validator set %X, the weid chain's set for it (%d validators) hashes to %X", ErrValidatorSetChanged, sh.Height, sh.ValidatorsHash, vs.Size(), vs.Hash())
	}
	if err := cmttypes.VerifyCommitLightAllSignatures(sh.ChainID, vs, sh.Commit.BlockID, sh.Height, sh.Commit); err != nil {
		return nil, fmt.Errorf("commit of CometBFT block %d: %w", sh.Height, err)
	}
	res := &ProofResult{CometChainID: sh.ChainID, CometHeight: sh.Height, Validators: vs.Size(), TotalPower: vs.TotalVotingPower(), Time: sh.Time}
	res.Signers, res.SignedPower = signedBy(sh.Commit, vs)
	return res, nil
}

// VerifyCommitProofFrom checks p for a client that trusts the validator
// set trusted, which may have changed since it was taken: the skipping
// verification of CometBFT's light client (light.VerifyNonAdjacent, trust
// level 1/3). When the header names the trusted set it is
// VerifyCommitProof. Otherwise next — the set the node says signed the
// header (GET /v1/validators) — must be the header's (its hash is the
// header's validatorsHash) and hold signatures of more than two thirds of
// its power, and validators holding more than one third of the trusted
// set's power must have signed the same commit: if less than a third of
// the trusted set's power is faulty, an honest validator the client
// trusts vouches for the header. Every signature is verified. Unlike the
// light client there is no trusting period: a consortium removes
// validators by governance, and the client must stop trusting a set once
// a third of its power could be in hostile hands (keys of removed
// validators included) — take a newer set then.
func VerifyCommitProofFrom(p *chain.CommitProof, appHash string, trusted, next ValidatorSet) (*ProofResult, error) {
	res, err := VerifyCommitProof(p, appHash, trusted)
	if !errors.Is(err, ErrValidatorSetChanged) || len(next) == 0 {
		return res, err
	}
	sh, err := decodeSignedHeader(p, appHash)
	if err != nil {
		return nil, err
	}
	res, err = VerifyCommitProof(p, appHash, next)
	if errors.Is(err, ErrValidatorSetChanged) {
		return nil, fmt.Errorf("%w: CometBFT block %d is signed by neither the trusted validator set nor the set the node lists as current (%d validators)", ErrValidatorSetChanged, sh.Height, len(next))
	}
	if err != nil {
		return nil, err
	}
	tvs := trusted.cmt()
	if err := cmttypes.VerifyCommitLightTrustingAllSignatures(sh.ChainID, tvs, sh.Commit, cmtmath.Fraction{Numerator: 1, Denominator: 3}); err != nil {
		return nil, fmt.Errorf("CometBFT block %d: the validator set changed since the trusted one, and its validators did not sign more than a third of its power: %w", sh.Height, err)
	}
	t := &TrustedSigners{Validators: tvs.Size(), TotalPower: tvs.TotalVotingPower()}
	t.Signers, t.SignedPower = signedBy(sh.Commit, tvs)
	res.Trusted = t
	return res, nil
}

// decodeSignedHeader decodes p's signed header and checks that it is
// well-formed, of p's height, and carries appHash.
func decodeSignedHeader(p *chain.CommitProof, appHash string) (*cmttypes.SignedHeader, error) {
	var sh cmttypes.SignedHeader
	if err := cmtjson.Unmarshal(p.SignedHeader, &sh); err != nil {
		return nil, fmt.Errorf("signed header: %w", err)
	}
	if sh.Header == nil || sh.Commit == nil {
		return nil, fmt.Errorf("the signed header has no header or no commit")
	}
	if err := sh.ValidateBasic(sh.ChainID); err != nil {
		return nil, fmt.Errorf("signed header: %w", err)
	}
	if sh.Height != p.CometHeight {
		return nil, fmt.Errorf("the header is of height %d, the proof names %d", sh.Height, p.CometHeight)
	}
	want, err := hex.DecodeString(appHash)
	if err != nil || !bytes.Equal(sh.AppHash, want) {
		return nil, fmt.Errorf("CometBFT block %d carries app hash %X, the weid block's is %s", sh.Height, sh.AppHash, appHash)
	}
	return &sh, nil
}

// cmt returns s as CometBFT's validator set (ordered by power and
// address, as CometBFT hashes it).
func (s ValidatorSet) cmt() *cmttypes.ValidatorSet {
	vals := make([]*cmttypes.Validator, 0, len(s))
	for pub, power := range s {
		vals = append(vals, cmttypes.NewValidator(ed25519.PubKey([]byte(pub)), power))
	}
	return cmttypes.NewValidatorSet(vals)
}

// signedBy counts the validators of vs whose signature for the block is
// in c, and their power (the signatures were verified by the caller).
func signedBy(c *cmttypes.Commit, vs *cmttypes.ValidatorSet) (n int, power int64) {
	for _, s := range c.Signatures {
		if s.BlockIDFlag != cmttypes.BlockIDFlagCommit {
			continue
		}
		if _, v := vs.GetByAddress(s.ValidatorAddress); v != nil {
			n++
			power += v.VotingPower
		}
	}
	return n, power
}
