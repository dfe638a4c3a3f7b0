package cli

import "testing"

// TestLocalnetStart_LogLevelFromEnvironment: "weid localnet start" passes
// WEID_LOG_LEVEL to its nodes, as "weid node start" reads it, unless
// --log-level says otherwise (its own default of "info" hid it).
func TestLocalnetStart_LogLevelFromEnvironment(t *testing.T) {
	t.Setenv("WEID_LOG_LEVEL", "debug")
	if got := localnetStartCmd().Flags().Lookup("log-level").DefValue; got != "debug" {
		t.Fatalf("--log-level defaults to %q under WEID_LOG_LEVEL=debug", got)
	}
}
