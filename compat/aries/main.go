// Command aries-compat signs and verifies W3C Verifiable Credentials
// (VC Data Model 1.1) with Ed25519Signature2020 Linked Data Proofs using
// hyperledger/aries-framework-go v0.3.2, for weid's interop tests and as the
// baseline of its benchmarks.
//
// It is a module of its own because aries-framework-go and trustbloc/vc-go
// register the same protobuf files and panic at start-up when linked into
// one binary; weid's main module runs it as a separate program.
//
// Usage:
//
//	aries-compat sign --seed HEX32 --vm DIDURL [--created RFC3339] < unsigned.json > signed.json
//	aries-compat verify (--pub MULTIBASE | --did did:key:z6Mk…) < signed.json
//	aries-compat bench-issue -n N
//	aries-compat bench-verify -n N
//	aries-compat bench-verify-jwt -n N
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

// maxInput bounds the credential read from standard input.
const maxInput = 16 << 20

const usage = `usage:
  aries-compat sign --seed HEX32 --vm DIDURL [--created RFC3339] < unsigned.json > signed.json
  aries-compat verify (--pub MULTIBASE_ED25519 | --did did:key:z6Mk...) < signed.json
  aries-compat bench-issue -n N
  aries-compat bench-verify -n N
  aries-compat bench-verify-jwt -n N
`

// errUsage marks command-line mistakes (exit status 2).
var errUsage = errors.New("usage")

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes one subcommand and returns the process exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "sign":
		err = cmdSign(args[1:], stdin, stdout)
	case "verify":
		return cmdVerify(args[1:], stdin, stdout, stderr)
	case "bench-issue":
		err = cmdBench(args[1:], stdout, benchIssue)
	case "bench-verify":
		err = cmdBench(args[1:], stdout, benchVerify)
	case "bench-verify-jwt":
		err = cmdBench(args[1:], stdout, benchVerifyJWT)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = fmt.Errorf("%w: unknown subcommand %q", errUsage, args[0])
	}
	if err != nil {
		fmt.Fprintln(stderr, "aries-compat:", err)
		if errors.Is(err, errUsage) {
			fmt.Fprint(stderr, usage)
			return 2
		}
		return 1
	}
	return 0
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %s: %v", errUsage, fs.Name(), err)
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("%w: %s: unexpected argument %q", errUsage, fs.Name(), fs.Arg(0))
	}
	return nil
}

func readInput(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, fmt.Errorf("read standard input: %w", err)
	}
	if len(b) > maxInput {
		return nil, fmt.Errorf("standard input is over %d bytes", maxInput)
	}
	return b, nil
}

// inputAndLoader reads the document on standard input (readInput) and
// makes the loader of the contexts aries-compat knows, for sign and verify.
func inputAndLoader(stdin io.Reader) ([]byte, *strictLoader, error) {
	in, err := readInput(stdin)
	if err != nil {
		return nil, nil, err
	}
	loader, err := newStrictLoader()
	return in, loader, err
}

func cmdSign(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := newFlags("sign")
	seed := fs.String("seed", "", "Ed25519 seed, 64 hex digits")
	vm := fs.String("vm", "", "verificationMethod DID URL of the proof")
	createdFlag := fs.String("created", "", "proof created time, RFC 3339 (default: now, whole seconds)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *seed == "" || *vm == "" {
		return fmt.Errorf("%w: sign needs --seed and --vm", errUsage)
	}
	priv, err := seedKey(*seed)
	if err != nil {
		return err
	}
	created := time.Now().UTC().Truncate(time.Second)
	if *createdFlag != "" {
		if created, err = time.Parse(time.RFC3339, *createdFlag); err != nil {
			return fmt.Errorf("--created: %w", err)
		}
	}
	in, loader, err := inputAndLoader(stdin)
	if err != nil {
		return err
	}
	out, err := NewIssuer(priv, *vm, loader).Sign(in, created)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", out)
	return err
}

// verifyResult is what verify prints.
type verifyResult struct {
	Verified bool   `json:"verified"`
	Error    string `json:"error,omitempty"`
}

func cmdVerify(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("verify")
	pub := fs.String("pub", "", "issuer public key, multibase (Multikey z6Mk…)")
	didFlag := fs.String("did", "", "issuer did:key DID (a fragment is ignored)")
	err := parseFlags(fs, args)
	if err == nil && (*pub == "") == (*didFlag == "") {
		err = fmt.Errorf("%w: verify needs exactly one of --pub and --did", errUsage)
	}
	if err != nil {
		fmt.Fprintln(stderr, "aries-compat:", err)
		fmt.Fprint(stderr, usage)
		return 2
	}

	err = verify(*pub, *didFlag, stdin)
	res := verifyResult{Verified: err == nil}
	if err != nil {
		res.Error = err.Error()
	}
	b, _ := json.Marshal(res) // a struct of a bool and a string always marshals
	fmt.Fprintf(stdout, "%s\n", b)
	if err != nil {
		return 1
	}
	return 0
}

func verify(pubFlag, didFlag string, stdin io.Reader) error {
	in, loader, err := inputAndLoader(stdin)
	if err != nil {
		return err
	}
	var v *Verifier
	if pubFlag != "" {
		pub, err := multibaseKey(pubFlag)
		if err != nil {
			return fmt.Errorf("--pub: %w", err)
		}
		v = NewKeyVerifier(pub, loader)
	} else {
		// A DID URL (did:key:z6Mk…#z6Mk…) names the same did:key DID.
		d, err := bareDID(didFlag)
		if err != nil {
			return fmt.Errorf("--did %q: %w", didFlag, err)
		}
		if v, err = NewDIDKeyVerifier(d, loader); err != nil {
			return err
		}
	}
	return v.Verify(in)
}

func cmdBench(args []string, stdout io.Writer, bench func(io.Writer, int, *strictLoader) error) error {
	fs := newFlags("bench")
	n := fs.Int("n", 100, "number of credentials")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *n < 1 {
		return fmt.Errorf("%w: -n must be at least 1", errUsage)
	}
	loader, err := newStrictLoader()
	if err != nil {
		return err
	}
	return bench(stdout, *n, loader)
}
