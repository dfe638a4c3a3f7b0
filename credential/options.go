package credential

import "github.com/weidgo/weid/errs"

// The options of W3C VCALM's verify endpoints (POST /credentials/verify,
// /presentations/verify, weid's /v1/credentials/verify-batch): a JSON
// object whose unknown keys are tolerated, as VCALM asks.

// PolicyFrom reads the verification policy from a verify request's
// options: requireAccreditation and requireBinding, when booleans, and,
// when strings, expectedProofPurpose, challenge and domain, which a Data
// Integrity proof of the credential must match (VC Data Integrity §4.4
// Verify Proof; VCALM's verify options).
func PolicyFrom(options map[string]any) Policy {
	var p Policy
	if v, ok := options["requireAccreditation"].(bool); ok {
		p.RequireAccreditation = v
	}
	if v, ok := options["requireBinding"].(bool); ok {
		p.RequireBinding = v
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"expectedProofPurpose", &p.ProofPurpose}, {"challenge", &p.Challenge}, {"domain", &p.Domain}} {
		if v, ok := options[f.name].(string); ok {
			*f.dst = v
		}
	}
	return p
}

// PresentationOptionsFrom reads a presentation verify request's options:
// the policy, and the challenge and domain the holder's proof must carry,
// which must be strings when present. Challenges is left for the caller.
func PresentationOptionsFrom(options map[string]any) (PresentationOptions, error) {
	o := PresentationOptions{Policy: PolicyFrom(options)}
	// The challenge, domain and proof purpose asked for are the
	// presentation's proof's, not its credentials'.
	o.Policy.ProofPurpose, o.Policy.Challenge, o.Policy.Domain = "", "", ""
	for _, f := range []struct {
		name string
		dst  *string
	}{{"challenge", &o.Challenge}, {"domain", &o.Domain}} {
		v, ok := options[f.name]
		if !ok {
			continue
		}
		s, isStr := v.(string)
		if !isStr {
			return o, errs.BadRequest("request.malformed", "options.%s must be a string", f.name)
		}
		*f.dst = s
	}
	return o, nil
}
