package cometbft_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	cmted "github.com/cometbft/cometbft/crypto/ed25519"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/chain/cometbft"
)

// member is a validator that can sign: its key and power.
type member struct {
	pv    cmttypes.MockPV
	pub   []byte
	power int64
}

func newMembers(n int) []member {
	ms := make([]member, n)
	for i := range ms {
		k := cmted.GenPrivKey()
		ms[i] = member{pv: cmttypes.NewMockPVWithParams(k, false, false), pub: k.PubKey().Bytes(), power: 10}
	}
	return ms
}

func setOf(ms ...member) cometbft.ValidatorSet {
	s := cometbft.ValidatorSet{}
	for _, m := range ms {
		s[string(m.pub)] = m.power
	}
	return s
}

// commitProof makes a CometBFT header at height carrying appHash, whose
// validator set is set, with a commit signed by signers (members of set).
func commitProof(t *testing.T, appHash []byte, set []member, signers ...member) *chain.CommitProof {
	t.Helper()
	const chainID, height = "weid-test", int64(40)
	vals := make([]*cmttypes.Validator, len(set))
	for i, m := range set {
		vals[i] = cmttypes.NewValidator(cmted.PubKey(m.pub), m.power)
	}
	vs := cmttypes.NewValidatorSet(vals)
	b := cmttypes.MakeBlock(height, nil, nil, nil)
	b.ChainID, b.Time, b.AppHash = chainID, time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC), appHash
	b.ValidatorsHash, b.NextValidatorsHash = vs.Hash(), vs.Hash()
	b.ProposerAddress = vs.Validators[0].Address
	b.LastBlockID = cmttypes.BlockID{Hash: bytes.Repeat([]byte{1}, 32), PartSetHeader: cmttypes.PartSetHeader{Total: 1, Hash: bytes.Repeat([]byte{2}, 32)}}
	id := cmttypes.BlockID{Hash: b.Header.Hash(), PartSetHeader: cmttypes.PartSetHeader{Total: 1, Hash: bytes.Repeat([]byte{3}, 32)}}
	c := &cmttypes.Commit{Height: height, BlockID: id, Signatures: make([]cmttypes.CommitSig, vs.Size())}
	for i := range c.Signatures {
		c.Signatures[i] = cmttypes.NewCommitSigAbsent()
	}
	for _, m := range signers {
		idx, _ := vs.GetByAddress(cmted.PubKey(m.pub).Address())
		if idx < 0 {
			t.Fatal("a signer outside the set")
		}
		v, err := cmttypes.MakeVote(m.pv, chainID, idx, height, 0, cmttypes.PrecommitType, id, b.Time)
		if err != nil {
			t.Fatal(err)
		}
		c.Signatures[idx] = v.CommitSig()
	}
	raw, err := cmtjson.Marshal(&cmttypes.SignedHeader{Header: &b.Header, Commit: c})
	if err != nil {
		t.Fatal(err)
	}
	return &chain.CommitProof{WeidHeight: 7, AppHash: hex.EncodeToString(appHash), CometHeight: height, SignedHeader: raw}
}

// TestVerifyCommitProofFrom_FollowsASetChange: a client that trusts the
// genesis validators {a,b,c,d} accepts a header made after d was replaced
// by e when the new set signed it with +2/3 and more than a third of the
// trusted set's power signed it too (CometBFT's skipping rule), and
// refuses it when the trusted set did not sign enough, when the new set
// did not, or when the node shows a set that is not the header's.
func TestVerifyCommitProofFrom_FollowsASetChange(t *testing.T) {
	ms := newMembers(8)
	a, b, c, d, e, f, g, h := ms[0], ms[1], ms[2], ms[3], ms[4], ms[5], ms[6], ms[7]
	trusted := setOf(a, b, c, d)
	app := bytes.Repeat([]byte{0xab}, 32)
	appHex := hex.EncodeToString(app)

	// Unchanged set: the plain rule, whatever the candidate.
	p := commitProof(t, app, []member{a, b, c, d}, a, b, c)
	if r, err := cometbft.VerifyCommitProofFrom(p, appHex, trusted, nil); err != nil || r.Signers != 3 || r.Trusted != nil {
		t.Fatalf("unchanged set: %+v %v", r, err)
	}

	// d replaced by e; a, b and e sign.
	next := []member{a, b, c, e}
	p = commitProof(t, app, next, a, b, e)
	if _, err := cometbft.VerifyCommitProof(p, appHex, trusted); !errors.Is(err, cometbft.ErrValidatorSetChanged) {
		t.Fatalf("the fixed rule should see the change: %v", err)
	}
	r, err := cometbft.VerifyCommitProofFrom(p, appHex, trusted, setOf(next...))
	if err != nil {
		t.Fatalf("a change the trusted set vouches for: %v", err)
	}
	if r.Signers != 3 || r.Validators != 4 || r.Trusted == nil || r.Trusted.Signers != 2 || r.Trusted.SignedPower != 20 || r.Trusted.TotalPower != 40 {
		t.Fatalf("result: %+v %+v", r, r.Trusted)
	}

	cases := []struct {
		name      string
		proof     *chain.CommitProof
		candidate cometbft.ValidatorSet
		want      string
	}{
		{"no candidate set", p, nil, "another validator set"},
		{"a candidate that is not the header's set", p, setOf(a, b, c, f), "neither the trusted validator set nor the set the node lists"},
		{"a wholly new set the trusted one never signed for", commitProof(t, app, []member{e, f, g, h}, e, f, g), setOf(e, f, g, h), "did not sign more than a third"},
		{"a quarter of the trusted power", commitProof(t, app, []member{a, e, f}, a, e, f), setOf(a, e, f), "did not sign more than a third"},
		{"the new set below two thirds", commitProof(t, app, next, a, e), setOf(next...), "commit of CometBFT block"},
		{"another app hash", p, setOf(next...), "carries app hash"},
	}
	for _, tc := range cases {
		want := appHex
		if strings.HasPrefix(tc.name, "another app hash") {
			want = strings.Repeat("00", 32)
		}
		if _, err := cometbft.VerifyCommitProofFrom(tc.proof, want, trusted, tc.candidate); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}
