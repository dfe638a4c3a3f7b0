package cometbft

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/weidgo/weid/chain"
)

// TestAuditFailure_HaltIsNotCorruption: a node started, after its chain
// went on under rules its weid does not know (an older weid on newer
// data), is told to upgrade weid, not that its data is corrupt and must
// be restored or rebuilt.
func TestAuditFailure_HaltIsNotCorruption(t *testing.T) {
	halt := fmt.Errorf("block 12: %w", (&chain.HaltError{Version: 3, Height: 12, Known: 2}).Problem()) // as chain.Audit returns it
	got := auditFailure("/h", 20, halt).Error()
	if !strings.Contains(got, "upgrade weid") || strings.Contains(got, "does not match") || strings.Contains(got, repairHint) {
		t.Errorf("a halt reads %q", got)
	}
	if got := auditFailure("/h", 20, errors.New("app hash mismatch at 7")).Error(); !strings.Contains(got, "does not match") {
		t.Errorf("a mismatch reads %q", got)
	}
}
