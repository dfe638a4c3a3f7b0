package client

import (
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/txn"
)

// TestProvenState_SummaryTimeIsWhatMaxAgeMeasures: under a validator-set
// anchor a block is as current as its commit (the validators' signatures),
// which may come long after the header's time (CometBFT's BFT time is the
// previous block's commit): the summary shows the time --max-age measures,
// not the header's.
func TestProvenState_SummaryTimeIsWhatMaxAgeMeasures(t *testing.T) {
	signed := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
	s := &ProvenState{values: map[string][]byte{}}
	h := &txn.Header{ChainID: "c", Height: 7, Time: signed.Add(-74 * time.Second).Format(txn.TimeFormat)}
	s.note(h, &api.StateVerdict{Height: 7, Time: signed, SignedBy: "validators"})
	sum := s.Summary()
	if want := signed.Format(txn.TimeFormat); sum == nil || sum.Time != want {
		t.Fatalf("summary %+v, want the time %s the validators signed", sum, want)
	}
}
