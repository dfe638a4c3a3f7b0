package bench

import (
	"log/slog"
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	// Request logs would measure the terminal, not weid.
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}
