package cometbft

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"

	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtjson "github.com/cometbft/cometbft/libs/json"
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
	SignedPower  int64  `json:"signedPower"`
	TotalPower   int64  `json:"totalPower"`
}

// VerifyCommitProof checks p against the app hash of the weid block it
// proves and the validator set that must have signed it, as the weid chain
// records it (the genesis validators and the changes of every block before
// the proved one: a change committed at one CometBFT height applies two
// heights later): that the header carries the app hash, that its validator
// set is that set, and that the commit holds signatures of more than two
// thirds of that set's voting power for that header.
func VerifyCommitProof(p *chain.CommitProof, appHash string, set ValidatorSet) (*ProofResult, error) {
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
	if len(set) == 0 {
		return nil, fmt.Errorf("the weid chain records no validators (a chain made before weid recorded them): nothing to check the signatures against")
	}
	vals := make([]*cmttypes.Validator, 0, len(set))
	for pub, power := range set {
		vals = append(vals, cmttypes.NewValidator(ed25519.PubKey([]byte(pub)), power))
	}
	vs := cmttypes.NewValidatorSet(vals)
	if !bytes.Equal(vs.Hash(), sh.ValidatorsHash) {
		return nil, fmt.Errorf("CometBFT block %d names validator set %X, the weid chain's set for it (%d validators) hashes to %X", sh.Height, sh.ValidatorsHash, vs.Size(), vs.Hash())
	}
	if err := cmttypes.VerifyCommitLightAllSignatures(sh.ChainID, vs, sh.Commit.BlockID, sh.Height, sh.Commit); err != nil {
		return nil, fmt.Errorf("commit of CometBFT block %d: %w", sh.Height, err)
	}
	res := &ProofResult{CometChainID: sh.ChainID, CometHeight: sh.Height, Validators: vs.Size(), TotalPower: vs.TotalVotingPower()}
	for _, s := range sh.Commit.Signatures {
		if s.BlockIDFlag != cmttypes.BlockIDFlagCommit {
			continue
		}
		if _, v := vs.GetByAddress(s.ValidatorAddress); v != nil {
			res.SignedPower += v.VotingPower
		}
	}
	return res, nil
}
