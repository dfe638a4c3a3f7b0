# weid — see README.md. Everything installs through go.mod and this file.
GO        ?= go
BIN       := bin/weid
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X github.com/weidgo/weid/server.Version=$(VERSION)
# Fuzz budgets are execution counts, not durations: a duration races the Go
# fuzz coordinator's deadline (golang/go#75804, fixed only in Go 1.27) and
# fails spuriously with "context deadline exceeded" on a loaded machine.
FUZZTIME  ?= 60000x
# make test fuzzes each target for TEST_FUZZTIME executions: a shorter run,
# so that the whole of make test stays within 15 minutes on two cores (the
# 63 targets at 60000x took 11 of its 15 minutes with an empty fuzz cache).
TEST_FUZZTIME ?= 25000x
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.7.0

.PHONY: build run test test-short test-cluster soak fuzz bench lint clean browser zbar softhsm screenshots

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/weid

## run: build and start a single-node service with its embedded ledger in ./data,
## on 127.0.0.1:8080 or WEID_LISTEN (make run WEID_LISTEN=127.0.0.1:8090)
run:
	@echo "building weid — the first build downloads and compiles dependencies, a few minutes"
	@$(MAKE) --no-print-directory build
	./$(BIN) node start

## test: vet, the whole suite under the race detector, and short fuzz runs
## (the web pages' browser tests need chromium: make browser installs it;
## the QR codes' decoding tests zbarimg: make zbar; the PKCS#11 tests
## SoftHSM2: make softhsm)
test: browser zbar softhsm
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...
	$(MAKE) fuzz FUZZTIME=$(TEST_FUZZTIME)

test-short:
	$(GO) test -short -count=1 ./...

## test-cluster: the CometBFT consortium tests — four validator processes on
## loopback (weid localnet), under the race detector
test-cluster:
	WEID_TEST_CLUSTER=1 $(GO) test -race -count=1 -timeout 10m -run '^(TestCluster_|TestLocalnet_)' ./cli

## soak: DID creations offered open-loop at the target rate (1,500/s) to a
## 4-validator consortium for SOAK (default 10m; make soak SOAK=2m), reporting
## per interval and overall throughput, p50/p99 commit latency, load shed and
## RSS; fails on any stuck submitter (run it alone: it loads both cores)
SOAK ?= 10m
soak:
	WEID_SOAK=$(SOAK) $(GO) test -count=1 -run '^TestSoak$$' -timeout 2h -v ./bench

## browser: install Debian's chromium for the web pages' browser tests
## (best effort: without root or apt-get the browser tests skip, saying why)
browser:
	@./scripts/install-chromium.sh || echo "make browser: chromium not installed; the browser tests will be skipped"

## zbar: install Debian's zbar-tools, whose zbarimg decodes the QR codes in
## internal/qr's tests (best effort: without it those tests skip, saying why)
zbar:
	@./scripts/install-zbar.sh || echo "make zbar: zbar-tools not installed; the QR decoding tests will be skipped"

## softhsm: install Debian's SoftHSM2 for the PKCS#11 (hardware key) tests
## (best effort: without root or apt-get those tests skip, saying why)
softhsm:
	@./scripts/install-softhsm.sh || echo "make softhsm: SoftHSM2 not installed; the PKCS#11 tests will be skipped"

## screenshots: PNGs of the web pages (from the browser tests) into docs/screenshots
screenshots: browser
	mkdir -p docs/screenshots
	WEID_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 -run '^TestBrowser_' ./web

# Each fuzz target runs FUZZTIME executions (go test runs one fuzz target at a time).
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeTx$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./txn
	$(GO) test -run '^$$' -fuzz '^FuzzTxMember$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./txn
	$(GO) test -run '^$$' -fuzz '^FuzzCheckMembers$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./txn
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeLenient$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./txn
	$(GO) test -run '^$$' -fuzz '^FuzzParseValidUntil$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./txn
	$(GO) test -run '^$$' -fuzz '^FuzzStateProofs$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./txn
	$(GO) test -run '^$$' -fuzz '^FuzzStateProofRequest$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./api
	$(GO) test -run '^$$' -fuzz '^FuzzSM2Public$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./keys
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeObject$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/strictjson
	$(GO) test -run '^$$' -fuzz '^FuzzParseDIDURL$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./did
	$(GO) test -run '^$$' -fuzz '^FuzzParseWeid$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./did
	$(GO) test -run '^$$' -fuzz '^FuzzParseOptions$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./did
	$(GO) test -run '^$$' -fuzz '^FuzzParseValidatorKey$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./authz
	$(GO) test -run '^$$' -fuzz '^FuzzRequestedPower$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./authz
	$(GO) test -run '^$$' -fuzz '^FuzzRulesPayloads$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./authz
	$(GO) test -run '^$$' -fuzz '^FuzzAboutPath$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./authz
	$(GO) test -run '^$$' -fuzz '^FuzzVerifyCommitProof$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./chain/cometbft
	$(GO) test -run '^$$' -fuzz '^FuzzPeerAttestation$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./chain/cometbft
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeDocument$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./did
	$(GO) test -run '^$$' -fuzz '^FuzzDereference$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./did
	$(GO) test -run '^$$' -fuzz '^FuzzNegotiate$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./did
	$(GO) test -run '^$$' -fuzz '^FuzzTermCheck$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./credential
	$(GO) test -run '^$$' -fuzz '^FuzzSchemaPayload$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./schemas
	$(GO) test -run '^$$' -fuzz '^FuzzParseLabels$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./schemas
	$(GO) test -run '^$$' -fuzz '^FuzzVerifyJWT$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./credential
	$(GO) test -run '^$$' -fuzz '^FuzzVerifyDataIntegrity$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./credential
	$(GO) test -run '^$$' -fuzz '^FuzzVerifyPresentation$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./credential
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./credential
	$(GO) test -run '^$$' -fuzz '^FuzzVerifyEnvelopes$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./credential
	$(GO) test -run '^$$' -fuzz '^FuzzIsURL$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./credential
	$(GO) test -run '^$$' -fuzz '^FuzzClassify$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./credential
	$(GO) test -run '^$$' -fuzz '^FuzzParseVerify$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./sdjwt
	$(GO) test -run '^$$' -fuzz '^FuzzParsePublicJWKValue$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./jose
	$(GO) test -run '^$$' -fuzz '^FuzzVerify$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./ldproof
	$(GO) test -run '^$$' -fuzz '^FuzzCanonicalJSON$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./ldproof
	$(GO) test -run '^$$' -fuzz '^FuzzCompareUTF16$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./ldproof
	$(GO) test -run '^$$' -fuzz '^FuzzContextPrefix$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./ldproof
	$(GO) test -run '^$$' -fuzz '^FuzzCanonicalForms$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./ldproof
	$(GO) test -run '^$$' -fuzz '^FuzzAbsoluteIRI$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./ldproof
	$(GO) test -run '^$$' -fuzz '^FuzzPayloads$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./evidence
	$(GO) test -run '^$$' -fuzz '^FuzzValidHash$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./evidence
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./grants
	$(GO) test -run '^$$' -fuzz '^FuzzParseProof$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./grants
	$(GO) test -run '^$$' -fuzz '^FuzzPayloads$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./grants
	$(GO) test -run '^$$' -fuzz '^FuzzDecryptSM2$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./grants
	$(GO) test -run '^$$' -fuzz '^FuzzRelease$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./exchange
	$(GO) test -run '^$$' -fuzz '^FuzzParseCredential$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./wallet
	$(GO) test -run '^$$' -fuzz '^FuzzCheckReceived$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./wallet
	$(GO) test -run '^$$' -fuzz '^FuzzTerminalText$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./wallet
	$(GO) test -run '^$$' -fuzz '^FuzzNDJSON$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./batch
	$(GO) test -run '^$$' -fuzz '^FuzzAppendResult$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./batch
	$(GO) test -run '^$$' -fuzz '^FuzzBatchOptionsFromQuery$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./api
	$(GO) test -run '^$$' -fuzz '^FuzzVerifyOptions$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./api
	$(GO) test -run '^$$' -fuzz '^FuzzBearerToken$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./api
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeList$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./status
	$(GO) test -run '^$$' -fuzz '^FuzzParseEntry$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./status
	$(GO) test -run '^$$' -fuzz '^FuzzParseToken$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./status
	$(GO) test -run '^$$' -fuzz '^FuzzParseProof$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./oid4vci
	$(GO) test -run '^$$' -fuzz '^FuzzParseOfferURI$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./oid4vci
	$(GO) test -run '^$$' -fuzz '^FuzzParseTokenRequest$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./oid4vci
	$(GO) test -run '^$$' -fuzz '^FuzzParseCredentialRequest$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./oid4vci
	$(GO) test -run '^$$' -fuzz '^FuzzParseDCQL$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./oid4vp
	$(GO) test -run '^$$' -fuzz '^FuzzParsePresentationDefinition$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./oid4vp
	$(GO) test -run '^$$' -fuzz '^FuzzParseResponseForm$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./oid4vp
	$(GO) test -run '^$$' -fuzz '^FuzzParseRequestObject$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./oid4vp
	$(GO) test -run '^$$' -fuzz '^FuzzVerifierAnswer$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./oid4vp
	$(GO) test -run '^$$' -fuzz '^FuzzParsePrivateKey$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./keys
	$(GO) test -run '^$$' -fuzz '^FuzzParseURI$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./hsm
	$(GO) test -run '^$$' -fuzz '^FuzzNodeURL$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./cli
	$(GO) test -run '^$$' -fuzz '^FuzzParseCursor$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./events
	$(GO) test -run '^$$' -fuzz '^FuzzParseFilter$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./events
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeSnapshotMeta$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./chain
	$(GO) test -run '^$$' -fuzz '^FuzzRestoreChunk$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./chain

## bench: run the benchmarks and print a table (run it alone: it loads both cores);
## the credential rows compare with aries-framework-go (compat/aries, built first)
bench:
	cd compat/aries && $(GO) build -o $(CURDIR)/bin/aries-compat .
	WEID_ARIES_COMPAT=$(CURDIR)/bin/aries-compat $(GO) run ./internal/benchtable -- $(GO) test -run '^$$' -bench . -benchtime 3s -timeout 30m ./bench ./credential

lint:
	@test -z "$$(gofmt -l .)" || (gofmt -l .; echo "gofmt: the files above need formatting"; exit 1)
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

clean:
	rm -rf bin
