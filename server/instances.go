package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/weidgo/weid/node"
)

// IssuerInstanceRequest is the body of POST /v1/issuer-instances.
type IssuerInstanceRequest struct {
	Name        string   `json:"name"`
	Issuer      string   `json:"issuer"`
	Format      string   `json:"format,omitempty"`
	Schema      uint64   `json:"schema,omitempty"`
	Types       []string `json:"types,omitempty"`
	Status      []string `json:"status,omitempty"`
	Disclosable []string `json:"disclosable,omitempty"`
}

// IssuerInstanceList is the body of GET /v1/issuer-instances.
type IssuerInstanceList struct {
	Instances []node.IssuerInstance `json:"instances"`
}

// createIssuerInstance stores a named issuance configuration of the
// caller's account (W3C VCALM issuer instance), used by POST
// /issuers/{name}/credentials/issue.
func (s *Server) createIssuerInstance(w http.ResponseWriter, r *http.Request) {
	acct, err := s.account(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	var req IssuerInstanceRequest
	if err := decodeJSON(r, &req); err != nil {
		renderError(w, r, err)
		return
	}
	in, err := s.node.CreateIssuerInstance(acct, node.IssuerInstance{Name: req.Name, Issuer: req.Issuer, IssueProfile: node.IssueProfile{
		Format: req.Format, Schema: req.Schema, Types: req.Types, Status: req.Status, Disclosable: req.Disclosable,
	}})
	if err != nil {
		renderError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, in)
}

// listIssuerInstances lists the caller's issuer instances.
func (s *Server) listIssuerInstances(w http.ResponseWriter, r *http.Request) {
	acct, err := s.account(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	list, err := s.node.IssuerInstances(acct)
	if err != nil {
		renderError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, IssuerInstanceList{Instances: list})
}

// getIssuerInstance returns one of the caller's issuer instances.
func (s *Server) getIssuerInstance(w http.ResponseWriter, r *http.Request) {
	acct, err := s.account(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	in, err := s.node.IssuerInstance(acct, chi.URLParam(r, "name"))
	if err != nil {
		renderError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, in)
}
