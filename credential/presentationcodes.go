package credential

// The codes of a presentation's own checks (VerifyPresentation): the
// holder's proof, the challenge and domain it carries (VC Data Model 2.0
// §4.13, VC Data Integrity §2.1 "challenge" and "domain", RFC 7519
// "nonce"/"aud" of a vp+jwt or key-binding JWT), and its credentials.
// As the codes of codes.go, each names the reason, so that a client can
// say it in the reader's language.
const (
	ReasonPresentationOK = "structure.presentationOk" // params: format

	ReasonHolderProofOK           = "holderProof.ok"                // params: key
	ReasonHolderProofKeyBinding   = "holderProof.keyBinding"        // params: count, disclosed
	ReasonHolderProofNone         = "holderProof.none"              // no proof, and none was asked for
	ReasonHolderProofMissing      = "holderProof.missing"           // no proof, but a challenge or domain was asked for
	ReasonHolderProofNotHolder    = "holderProof.notHolder"         // params: holder, signer
	ReasonHolderProofExpired      = "holderProof.expired"           // params: at
	ReasonHolderProofNotYet       = "holderProof.notYet"            // params: at
	ReasonHolderProofNoKB         = "holderProof.noKeyBinding"      // an SD-JWT without a key-binding JWT
	ReasonHolderProofKBUnproven   = "holderProof.credentialProof"   // the SD-JWT's own proof failed first
	ReasonHolderProofKBInvalid    = "holderProof.keyBindingInvalid" // the key-binding JWT does not verify
	ReasonHolderProofIssuerKey    = "holderProof.issuerKey"         // the SD-JWT issuer's key, needed again, did not resolve
	ReasonHolderProofBadKid       = "holderProof.badKid"            // params: kid
	ReasonHolderProofBadClaim     = "holderProof.badClaim"          // params: claim ("exp", "nbf")
	ReasonHolderProofBadSignature = "holderProof.badSignature"      // params: key

	ReasonChallengeOK        = "challenge.ok"        // the one asked for; single use not tracked
	ReasonChallengeConsumed  = "challenge.consumed"  // issued by this verifier, now used
	ReasonChallengeReused    = "challenge.reused"    // issued, but already used or expired
	ReasonChallengeNotIssued = "challenge.notIssued" // the one asked for, not issued here
	ReasonChallengeMismatch  = "challenge.mismatch"  // params: got
	ReasonChallengeBadProof  = "challenge.badProof"  // matches, but the holder's proof failed
	ReasonChallengeUnasked   = "challenge.unasked"   // carried, none asked for
	ReasonChallengeNotAsked  = "challenge.notAsked"
	ReasonChallengeNoProof   = "challenge.noProof"

	ReasonDomainOK       = "domain.ok"       // params: domain
	ReasonDomainMissing  = "domain.missing"  // params: domain
	ReasonDomainMismatch = "domain.mismatch" // params: got, domain
	ReasonDomainNotAsked = "domain.notAsked"
	ReasonDomainNoProof  = "domain.noProof"

	ReasonCredentialsOK          = "credentials.ok"          // params: count
	ReasonCredentialsNone        = "credentials.none"        // the presentation holds none
	ReasonCredentialsNotVerified = "credentials.notVerified" // params: which (0-based indexes)
	ReasonCredentialsUnbound     = "credentials.unbound"     // params: which (0-based indexes)

	// A self-asserted credential of a presentation (holderClaims, VC Data
	// Model 2.0 §4.13): secured by the presentation's proof alone.
	ReasonStructureHolderClaim = "structure.holderClaim"
	ReasonProofHolderClaim     = "proof.holderClaim"     // params: holder
	ReasonProofHolderUnproven  = "proof.holderUnproven"  // no holder's proof verified
	ReasonProofHolderUnnamed   = "proof.holderUnnamed"   // the presentation names no holder
	ReasonProofHolderNotIssuer = "proof.holderNotIssuer" // params: issuer, holder

	// A Data Integrity proof that does not verify (ldproof.Verify's
	// error, in the detail): the credential's or the presentation's.
	ReasonProofInvalid       = "proof.invalid"
	ReasonHolderProofInvalid = "holderProof.invalid"

	// The key of a proof (methodKey): no resolver to find it, a
	// verification method whose key cannot be read (params: key).
	ReasonProofNoResolver       = "proof.noResolver"
	ReasonProofBadKey           = "proof.badKey"
	ReasonHolderProofNoResolver = "holderProof.noResolver"
	ReasonHolderProofBadKey     = "holderProof.badKey"
	// The holder's key, not found as the proof check's key is not
	// (params as theirs).
	ReasonHolderProofDeactivated = "holderProof.didDeactivated"
	ReasonHolderProofUnresolved  = "holderProof.didUnresolved"
	ReasonHolderProofKeyNotInDoc = "holderProof.keyNotInDocument"
)

// holderProofCodes are the holderProof check's codes for the failures to
// find a key that methodKey reports with the proof check's codes.
var holderProofCodes = map[string]string{
	ReasonProofNoResolver:  ReasonHolderProofNoResolver,
	ReasonProofBadKey:      ReasonHolderProofBadKey,
	ReasonProofDeactivated: ReasonHolderProofDeactivated,
	ReasonProofUnresolved:  ReasonHolderProofUnresolved,
	ReasonProofKeyNotInDoc: ReasonHolderProofKeyNotInDoc,
}

// presentationCodes lists the codes above (part of CheckCodes).
var presentationCodes = []string{
	ReasonPresentationOK, ReasonStructureHolderClaim, ReasonProofHolderClaim, ReasonProofHolderUnproven, ReasonProofHolderUnnamed, ReasonProofHolderNotIssuer,
	ReasonProofInvalid, ReasonHolderProofInvalid, ReasonProofNoResolver, ReasonProofBadKey, ReasonHolderProofNoResolver, ReasonHolderProofBadKey, ReasonHolderProofDeactivated, ReasonHolderProofUnresolved, ReasonHolderProofKeyNotInDoc,
	ReasonHolderProofKBInvalid, ReasonHolderProofIssuerKey, ReasonHolderProofBadKid, ReasonHolderProofBadClaim, ReasonHolderProofBadSignature,
	ReasonHolderProofOK, ReasonHolderProofKeyBinding, ReasonHolderProofNone, ReasonHolderProofMissing, ReasonHolderProofNotHolder, ReasonHolderProofExpired, ReasonHolderProofNotYet, ReasonHolderProofNoKB, ReasonHolderProofKBUnproven,
	ReasonChallengeOK, ReasonChallengeConsumed, ReasonChallengeReused, ReasonChallengeNotIssued, ReasonChallengeMismatch, ReasonChallengeBadProof, ReasonChallengeUnasked, ReasonChallengeNotAsked, ReasonChallengeNoProof,
	ReasonDomainOK, ReasonDomainMissing, ReasonDomainMismatch, ReasonDomainNotAsked, ReasonDomainNoProof,
	ReasonCredentialsOK, ReasonCredentialsNone, ReasonCredentialsNotVerified, ReasonCredentialsUnbound,
}

// addCode records a presentation check's outcome with its code and
// parameters.
func (pr *PresentationResult) addCode(name, status, code string, p map[string]string, detail string) {
	pr.Checks = append(pr.Checks, Check{Name: name, Status: status, Code: code, Params: p, Detail: detail})
}
