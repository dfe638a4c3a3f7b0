package did

import (
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/weidgo/weid/errs"
)

// ParseOptions reads the resolution options of a DID Resolution request's
// query (DID Resolution v1.0 §12.1, the HTTP(S) binding): versionId,
// versionTime (RFC 3339; not with versionId), and did:key's publicKeyFormat
// and enableExperimentalPublicKeyTypes (true or false). Names it does not
// know are ignored, as the DID Resolution test suite expects. A bad value is
// a 400 problem coded "did." and the DID Resolution error: invalidOptions,
// or unsupportedPublicKeyType for an empty publicKeyFormat or one no method
// knows (CheckPublicKeyFormat), for every method alike.
func ParseOptions(q url.Values) (Options, error) {
	var opts Options
	opts.VersionID = q.Get("versionId")
	if vt := q.Get("versionTime"); vt != "" {
		t, err := time.Parse(time.RFC3339, vt)
		if err != nil {
			return opts, errs.BadRequest("did.invalidOptions", "versionTime must be an RFC 3339 date-time")
		}
		opts.VersionTime = t
	}
	if opts.VersionID != "" && !opts.VersionTime.IsZero() {
		return opts, errs.BadRequest("did.invalidOptions", "give versionId or versionTime, not both")
	}
	if q.Has("publicKeyFormat") {
		if opts.PublicKeyFormat = q.Get("publicKeyFormat"); opts.PublicKeyFormat == "" {
			return opts, errs.BadRequest("did.unsupportedPublicKeyType", "publicKeyFormat is empty")
		}
		if err := CheckPublicKeyFormat(opts.PublicKeyFormat); err != nil {
			return opts, errs.BadRequest("did.unsupportedPublicKeyType", "%v", err)
		}
	}
	var err error
	opts.EnableExperimentalPublicKeyTypes, err = BoolOption(q, "enableExperimentalPublicKeyTypes")
	return opts, err
}

// BoolOption reads the boolean resolution option name of a query: false
// when absent, else true or false as strconv.ParseBool spells them; another
// value is a 400 did.invalidOptions naming it.
func BoolOption(q url.Values, name string) (bool, error) {
	v := q.Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, errs.BadRequest("did.invalidOptions", "%s must be true or false", name)
	}
	return b, nil
}

// CheckPublicKeyFormat returns ErrUnsupportedPublicKeyType for a
// publicKeyFormat that is none of the verification method types a did:key
// document can be expressed in (did:key v0.7 §3.1.2 step 7); "" is none
// asked for.
func CheckPublicKeyFormat(format string) error {
	if _, ok := keyFormatContexts[format]; format != "" && !ok {
		return fmt.Errorf("%w: publicKeyFormat %q is not one of Multikey, JsonWebKey2020, Ed25519VerificationKey2020, Ed25519VerificationKey2018, X25519KeyAgreementKey2020, X25519KeyAgreementKey2019", ErrUnsupportedPublicKeyType, errs.Truncate(format, 40))
	}
	return nil
}
