package server

import (
	"net/http"
	"strings"
)

// baseURL is the node's public URL: the configured one, or else the one
// the request was sent to. Handler packages take this method as their
// BaseURL, not a string: PublicURL may be set after New.
func (s *Server) baseURL(r *http.Request) string {
	if s.PublicURL != "" {
		return strings.TrimRight(s.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
