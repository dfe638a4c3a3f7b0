package ldproof

// Stable codes of the *errs.Error values this package returns, and of
// ProofResult.Code. Every one is the caller's or the document's fault and
// maps to a 4xx status (given beside each).
const (
	// CodeTooLarge (413): the document is larger than MaxDocumentBytes.
	CodeTooLarge = "ldproof.tooLarge"
	// CodeInvalidDocument (400): not one JSON object within the limits
	// (MaxDepth, unique member names), or a malformed "proof" member.
	CodeInvalidDocument = "ldproof.invalidDocument"
	// CodeUnknownContext (400): the document names a JSON-LD context that
	// is not embedded (ContextURLs); contexts are never fetched.
	CodeUnknownContext = "ldproof.unknownContext"
	// CodeUndefinedTerm (400): safe mode: a member name, type or
	// identifier that does not expand to an absolute IRI.
	CodeUndefinedTerm = "ldproof.undefinedTerm"
	// CodeInvalidJSONLD (400): any other JSON-LD or canonicalization
	// failure (including a dataset too complex to canonicalize).
	CodeInvalidJSONLD = "ldproof.invalidJSONLD"
	// CodeInvalidOptions (400): Sign options that cannot make a proof:
	// unknown cryptosuite, a key of the wrong type, no verification
	// method, a duplicate proof id, a legacy suite without its context.
	CodeInvalidOptions = "ldproof.invalidOptions"
	// CodeUnknownPreviousProof (400): Sign's PreviousProof, or a proof's
	// previousProof, names no proof of the document.
	CodeUnknownPreviousProof = "ldproof.unknownPreviousProof"
	// CodeNoProof (400): Verify was given a document without a proof.
	CodeNoProof = "ldproof.noProof"

	// The codes below appear only in ProofResult.Code (named Proof…, not
	// Code…: they are never a problem of an HTTP response).

	// ProofUnsupportedSuite: a proof type or cryptosuite weid does not
	// implement.
	ProofUnsupportedSuite = "ldproof.unsupportedSuite"
	// ProofInvalidProof: a proof that is malformed (missing or ill-typed
	// members, a bad created, expires or proofValue).
	ProofInvalidProof = "ldproof.invalidProof"
	// ProofPurposeMismatch: proofPurpose is not the one expected.
	ProofPurposeMismatch = "ldproof.purposeMismatch"
	// ProofChallengeMismatch: challenge differs from the expected one.
	ProofChallengeMismatch = "ldproof.challengeMismatch"
	// ProofDomainMismatch: domain differs from the expected one.
	ProofDomainMismatch = "ldproof.domainMismatch"
	// ProofExpired: the proof's expires is in the past.
	ProofExpired = "ldproof.expired"
	// ProofKeyNotResolved: the KeyResolver returned an error.
	ProofKeyNotResolved = "ldproof.keyNotResolved"
	// ProofBadSignature: the signature does not verify with the key.
	ProofBadSignature = "ldproof.badSignature"
	// ProofBrokenChain: a proof's signature verifies but a proof it names
	// in previousProof does not.
	ProofBrokenChain = "ldproof.brokenChain"
)
