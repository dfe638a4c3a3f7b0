package cli

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/chain/cometbft"
	"github.com/weidgo/weid/client"
)

// anchorFlags are the trust anchor of a verified read (issue 18): the solo
// chain's node key, or a CometBFT validator set in a file; and how old the
// block the anchor vouches for may be.
type anchorFlags struct {
	nodeKey    string
	validators string
	maxAge     time.Duration
}

func (a *anchorFlags) register(cmd *cobra.Command) {
	a.registerKeys(cmd)
	cmd.Flags().DurationVar(&a.maxAge, "max-age", 0, "refuse a proven block older than this (like 10m or 24h; default: no bound; under --trusted-validators measured from when the validators signed). Blocks are made only when the ledger changes, so a quiet chain's head is as old as its last write: choose a bound above the quiet spells you accept as current")
}

// registerKeys registers the anchor alone, without --max-age: for a
// command that checks which chain a node serves, not how current it is.
func (a *anchorFlags) registerKeys(cmd *cobra.Command) {
	cmd.Flags().StringVar(&a.nodeKey, "node-key", "", "trust anchor on a solo chain: the node key (publicKeyMultibase; chain.init's nodeKey in the genesis block) the block must be signed by")
	cmd.Flags().StringVar(&a.validators, "trusted-validators", "", "trust anchor on a CometBFT chain: the CometBFT genesis.json you trust. The state rests on its validators (more than 2/3 of their power signs the header carrying the app hash; a set that changed since is followed when more than a third of this one's power signed the new header); the weid header's other fields (a transaction's inclusion, the block's time) rest on the consortium's shared block key, which chain.init in its app_state names and any validator holds")
}

// given reports whether the flags name an anchor.
func (a *anchorFlags) given() bool { return a.nodeKey != "" || a.validators != "" }

// checkMaxAge refuses a negative --max-age.
func (a *anchorFlags) checkMaxAge() error {
	if a.maxAge < 0 {
		return usageErr("cli.usage.maxAgeNegative", "value", a.maxAge.String())
	}
	return nil
}

// warnUnbounded warns on w, in the user's language, that an anchor without
// --max-age leaves the age of the proven state unbounded: a node could
// replay an answer, every proof of it signed, from before a revocation.
// The verdict is the same.
func (a *anchorFlags) warnUnbounded(w io.Writer) {
	if a.given() && a.maxAge == 0 {
		fmt.Fprintln(w, say("cli.evidence.maxAgeUnbounded"))
	}
}

// anchor builds the StateAnchor the flags name. Under CometBFT the
// trusted set may have changed since the file was taken: the anchor then
// asks the node for the current set (GET /v1/validators) and follows the
// change by CometBFT's light-client rule (cometbft.VerifyCommitProofFrom).
func (a *anchorFlags) anchor(ctx context.Context, c *client.Client) (api.StateAnchor, error) {
	if err := a.checkMaxAge(); err != nil {
		return api.StateAnchor{}, err
	}
	if !a.given() {
		return api.StateAnchor{}, usageErr("cli.usage.verifyNeedsAnchor")
	}
	return a.following(func() (cometbft.ValidatorSet, error) { return listedValidators(ctx, c) })
}

// following builds the StateAnchor the flags name, whose commit check
// takes the set the header names, when the trusted one changed since,
// from candidate (not trusted: checked against the header, and more than
// a third of the trusted set must have signed too).
func (a *anchorFlags) following(candidate func() (cometbft.ValidatorSet, error)) (api.StateAnchor, error) {
	if err := a.checkMaxAge(); err != nil {
		return api.StateAnchor{}, err
	}
	switch {
	case a.nodeKey != "" && a.validators != "":
		return api.StateAnchor{}, usageErr("cli.usage.anchorNotBoth")
	case a.nodeKey != "":
		return api.StateAnchor{NodeKey: a.nodeKey, Headers: api.NewHeaderCache(), MaxAge: a.maxAge}, nil
	}
	set, blockKey, err := readTrustedGenesis(a.validators)
	if err != nil {
		return api.StateAnchor{}, err
	}
	return api.StateAnchor{BlockKey: blockKey, VerifyCommit: func(p *chain.CommitProof, appHash string) (string, time.Time, error) {
		r, err := cometbft.VerifyCommitProof(p, appHash, set)
		if errors.Is(err, cometbft.ErrValidatorSetChanged) {
			next, lerr := candidate()
			if lerr != nil {
				return "", time.Time{}, fmt.Errorf("%v; reading the node's validator set for that header to follow the change: %v", err, lerr)
			}
			r, err = cometbft.VerifyCommitProofFrom(p, appHash, set, next)
		}
		if err != nil {
			return "", time.Time{}, err
		}
		return commitSummary(r), r.Time, nil
	}, Headers: api.NewHeaderCache(), MaxAge: a.maxAge}, nil
}

// staleErr names the flag a stale proven block broke.
func staleErr(err error) error {
	if errors.Is(err, api.ErrStale) {
		return fmt.Errorf("--max-age: %w", err)
	}
	return err
}

// blockWhen says when a proven block was made and how long before now:
// "2026-12-07 01:03:06 UTC, 80 s ago".
func blockWhen(t, now time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05 UTC") + ", " + ageText(now.Sub(t))
}

// ageText says how long ago d was, in a unit a reader takes in at once.
func ageText(d time.Duration) string {
	switch {
	case d < 0:
		return fmt.Sprintf("%s ahead of this machine's clock", (-d).Round(time.Second))
	case d < 2*time.Minute:
		return fmt.Sprintf("%d s ago", int64(d/time.Second))
	case d < 2*time.Hour:
		return fmt.Sprintf("%d min ago", int64(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int64(d/time.Hour))
	}
	return fmt.Sprintf("%d days ago", int64(d/(24*time.Hour)))
}

// commitSummary says who signed a verified commit.
func commitSummary(r *cometbft.ProofResult) string {
	s := fmt.Sprintf("CometBFT block %d, signed by %d of %d validators (%d of %d voting power)", r.CometHeight, r.Signers, r.Validators, r.SignedPower, r.TotalPower)
	if t := r.Trusted; t != nil {
		s += fmt.Sprintf("; the set changed since the trusted one, of which %d of %d validators (%d of %d voting power) signed too", t.Signers, t.Validators, t.SignedPower, t.TotalPower)
	}
	return s
}

// listedValidators is the validator set the node lists as current: not
// trusted, only a candidate that VerifyCommitProofFrom checks against the
// header's validatorsHash.
func listedValidators(ctx context.Context, c *client.Client) (cometbft.ValidatorSet, error) {
	l, err := c.Validators(ctx)
	if err != nil {
		return nil, err
	}
	set := cometbft.ValidatorSet{}
	for _, v := range l.Validators {
		pub, err := base64.StdEncoding.DecodeString(v.PubKey)
		if err != nil || len(pub) != 32 || v.Power <= 0 {
			return nil, fmt.Errorf("validator %q: want an Ed25519 key (32 bytes, base64) and a positive power", v.PubKey)
		}
		set[string(pub)] = v.Power
	}
	return set, nil
}

// genesisValidator is a validator as CometBFT's genesis.json lists it.
type genesisValidator struct {
	PubKey struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	} `json:"pub_key"`
	Power json.Number `json:"power"`
}

// readTrustedGenesis reads a CometBFT genesis.json — its validators and
// the weid block key its app_state's chain.init names — or a bare
// validators array (no block key: the anchor then refuses every header).
func readTrustedGenesis(path string) (cometbft.ValidatorSet, string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	var vals []genesisValidator
	var g struct {
		Validators []genesisValidator     `json:"validators"`
		AppState   *cometbft.GenesisState `json:"app_state"`
	}
	if err := json.Unmarshal(raw, &vals); err != nil {
		if err := json.Unmarshal(raw, &g); err != nil {
			return nil, "", fmt.Errorf("%s: not a CometBFT genesis.json or validators array: %v", path, err)
		}
		vals = g.Validators
	}
	blockKey, err := genesisBlockKey(g.AppState)
	if err != nil {
		return nil, "", fmt.Errorf("%s: app_state: %w", path, err)
	}
	set, err := validatorSetOf(path, vals)
	return set, blockKey, err
}

// genesisBlockKey is the block key chain.init names in a weid CometBFT
// genesis app_state ("" without one).
func genesisBlockKey(gs *cometbft.GenesisState) (string, error) {
	if gs == nil {
		return "", nil
	}
	for _, tx := range gs.Txs {
		if tx != nil && tx.Type == chain.TypeChainInit {
			var p chain.InitPayload
			if err := chain.DecodeStrict(tx.Payload, &p); err != nil {
				return "", fmt.Errorf("chain.init: %w", err)
			}
			return p.NodeKey, nil
		}
	}
	return "", errors.New("no chain.init transaction: not a weid chain's genesis")
}

// validatorSetOf checks the validators of the file at path.
func validatorSetOf(path string, vals []genesisValidator) (cometbft.ValidatorSet, error) {
	set := cometbft.ValidatorSet{}
	for i, v := range vals {
		pub, err := base64.StdEncoding.DecodeString(v.PubKey.Value)
		if err != nil || len(pub) != 32 || v.PubKey.Type != "tendermint/PubKeyEd25519" {
			return nil, fmt.Errorf("%s: validator %d: want an Ed25519 pub_key (tendermint/PubKeyEd25519, 32 bytes base64)", path, i)
		}
		power, err := strconv.ParseInt(v.Power.String(), 10, 64)
		if err != nil || power <= 0 {
			return nil, fmt.Errorf("%s: validator %d: power must be a positive integer", path, i)
		}
		set[string(pub)] = power
	}
	if len(set) == 0 {
		return nil, fmt.Errorf("%s: no validators", path)
	}
	return set, nil
}
