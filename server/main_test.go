package server

import (
	"log/slog"
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	// Request logs are for operators; tests assert on responses.
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}
