package node

import (
	"context"
	"errors"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keystore"
)

// Issue answers W3C VCALM's issue endpoints for account: req.Credential
// completed and secured with the profile of issuer instance in (nil for
// none), which req.Options override. The answer is an
// EnvelopedVerifiableCredential for vc+jwt and dc+sd-jwt, the secured
// credential itself for Data Integrity. A mistake in the request is a 400
// of its own code (issueContentError), as VCALM lists; 401, 403 and 413
// keep their meaning (see vcalm.go).
func (n *Node) Issue(ctx context.Context, account *Account, in *api.IssuerInstance, req *api.IssueRequest, baseURL string) (*api.IssueResponse, error) {
	if len(req.Credential) == 0 {
		return nil, errs.BadRequest("credential.invalid", "credential is required")
	}
	var p IssueProfile
	credentialID := ""
	if in != nil {
		p = in.IssueProfile
	}
	if req.Options != nil {
		credentialID = req.Options.CredentialID
	}
	if len(credentialID) > api.MaxCredentialIDBytes {
		return nil, errs.BadRequest("credential.invalid", "options.credentialId is longer than %d bytes", api.MaxCredentialIDBytes)
	}
	issued, err := n.IssueCredential(ctx, account, req.Credential, req.Options.Override(p), in, baseURL)
	if err == nil && credentialID != "" && credentialID != issued.ID {
		err = n.nameIssued(account, issued.ID, credentialID)
	}
	if err != nil {
		return nil, asBadRequest(err, issueContentError)
	}
	return &api.IssueResponse{VerifiableCredential: issued.Secured()}, nil
}

// nameIssued records the status entries of the credential account issued
// as id under credentialID too, W3C VCALM's options.credentialId, by which
// UpdateStatus then finds them (as under id, a later credential issued
// under the same name takes its place). A credential without status
// entries has nothing to record.
func (n *Node) nameIssued(account *Account, id, credentialID string) error {
	var rec issuedRecord
	err := n.Keystore.GetRecord(issuedKey(account, id), &rec)
	if errors.Is(err, keystore.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return n.Keystore.PutRecord(issuedKey(account, credentialID), rec, false)
}

// Secured is the credential as VCALM answers it: the document for Data
// Integrity, else the compact token enveloped (VC DM 2.0 §4.13).
func (i *Issued) Secured() any {
	prefix := credential.DataURLVCJWT
	switch {
	case i.Document != nil:
		return i.Document
	case i.Format == FormatSDJWT:
		prefix = credential.DataURLSDJWT
	}
	return api.EnvelopedCredential{Context: []string{credential.ContextV2}, ID: prefix + i.Compact, Type: api.TypeEnvelopedCredential}
}
