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
# 63 targets at 60000x took 11 of its 15 minutes with an empty fuzz cache;
# 73 at 25000x about 9 of 16.5 on 2026-12-07, the slowest targets running
# 1,000 executions a second). make fuzz runs FUZZTIME.
TEST_FUZZTIME ?= 10000x
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

# Each fuzz target runs FUZZTIME executions (go test runs one fuzz target at a time):
# $(FUZZ) '^FuzzName$$' ./package, a line a target. scripts/fuzz.sh runs it as
# go test -fuzz would, from a fuzzing test binary built once a package into
# bin/fuzz (emptied before and after: never older than the code).
FUZZ = GO=$(GO) ./scripts/fuzz.sh $(FUZZTIME)
fuzz:
	rm -rf bin/fuzz
	$(FUZZ) '^FuzzDecodeTx$$' ./txn
	$(FUZZ) '^FuzzTxMember$$' ./txn
	$(FUZZ) '^FuzzCheckMembers$$' ./txn
	$(FUZZ) '^FuzzDecodeLenient$$' ./txn
	$(FUZZ) '^FuzzParseValidUntil$$' ./txn
	$(FUZZ) '^FuzzStateProofs$$' ./txn
	$(FUZZ) '^FuzzStateProofRequest$$' ./api
	$(FUZZ) '^FuzzSM2Public$$' ./keys
	$(FUZZ) '^FuzzDecodeObject$$' ./internal/strictjson
	$(FUZZ) '^FuzzParseDIDURL$$' ./did
	$(FUZZ) '^FuzzParseWeid$$' ./did
	$(FUZZ) '^FuzzParseOptions$$' ./did
	$(FUZZ) '^FuzzParseValidatorKey$$' ./authz
	$(FUZZ) '^FuzzRequestedPower$$' ./authz
	$(FUZZ) '^FuzzRulesPayloads$$' ./authz
	$(FUZZ) '^FuzzAboutPath$$' ./authz
	$(FUZZ) '^FuzzVerifyCommitProof$$' ./chain/cometbft
	$(FUZZ) '^FuzzPeerAttestation$$' ./chain/cometbft
	$(FUZZ) '^FuzzDecodeDocument$$' ./did
	$(FUZZ) '^FuzzDereference$$' ./did
	$(FUZZ) '^FuzzNegotiate$$' ./did
	$(FUZZ) '^FuzzTermCheck$$' ./credential
	$(FUZZ) '^FuzzSchemaPayload$$' ./schemas
	$(FUZZ) '^FuzzParseLabels$$' ./schemas
	$(FUZZ) '^FuzzVerifyJWT$$' ./credential
	$(FUZZ) '^FuzzVerifyDataIntegrity$$' ./credential
	$(FUZZ) '^FuzzOpaqueURL$$' ./credential
	$(FUZZ) '^FuzzPlainHTTPURL$$' ./credential
	$(FUZZ) '^FuzzDateTimeStamp$$' ./credential
	$(FUZZ) '^FuzzVerifyPresentation$$' ./credential
	$(FUZZ) '^FuzzParse$$' ./credential
	$(FUZZ) '^FuzzVerifyEnvelopes$$' ./credential
	$(FUZZ) '^FuzzIsURL$$' ./credential
	$(FUZZ) '^FuzzClassify$$' ./credential
	$(FUZZ) '^FuzzParseVerify$$' ./sdjwt
	$(FUZZ) '^FuzzParsePublicJWKValue$$' ./jose
	$(FUZZ) '^FuzzVerify$$' ./ldproof
	$(FUZZ) '^FuzzCanonicalJSON$$' ./ldproof
	$(FUZZ) '^FuzzCompareUTF16$$' ./ldproof
	$(FUZZ) '^FuzzContextPrefix$$' ./ldproof
	$(FUZZ) '^FuzzCanonicalForms$$' ./ldproof
	$(FUZZ) '^FuzzAbsoluteIRI$$' ./ldproof
	$(FUZZ) '^FuzzPayloads$$' ./evidence
	$(FUZZ) '^FuzzValidHash$$' ./evidence
	$(FUZZ) '^FuzzParse$$' ./grants
	$(FUZZ) '^FuzzParseProof$$' ./grants
	$(FUZZ) '^FuzzPayloads$$' ./grants
	$(FUZZ) '^FuzzDecryptSM2$$' ./grants
	$(FUZZ) '^FuzzRelease$$' ./exchange
	$(FUZZ) '^FuzzParseCredential$$' ./wallet
	$(FUZZ) '^FuzzCheckReceived$$' ./wallet
	$(FUZZ) '^FuzzTerminalText$$' ./wallet
	$(FUZZ) '^FuzzNDJSON$$' ./batch
	$(FUZZ) '^FuzzAppendResult$$' ./batch
	$(FUZZ) '^FuzzBatchOptionsFromQuery$$' ./api
	$(FUZZ) '^FuzzVerifyOptions$$' ./api
	$(FUZZ) '^FuzzBearerToken$$' ./api
	$(FUZZ) '^FuzzDecodeList$$' ./status
	$(FUZZ) '^FuzzParseEntry$$' ./status
	$(FUZZ) '^FuzzParseToken$$' ./status
	$(FUZZ) '^FuzzParseProof$$' ./oid4vci
	$(FUZZ) '^FuzzParseOfferURI$$' ./oid4vci
	$(FUZZ) '^FuzzParseTokenRequest$$' ./oid4vci
	$(FUZZ) '^FuzzParseCredentialRequest$$' ./oid4vci
	$(FUZZ) '^FuzzParseDCQL$$' ./oid4vp
	$(FUZZ) '^FuzzParsePresentationDefinition$$' ./oid4vp
	$(FUZZ) '^FuzzParseResponseForm$$' ./oid4vp
	$(FUZZ) '^FuzzParseRequestObject$$' ./oid4vp
	$(FUZZ) '^FuzzVerifierAnswer$$' ./oid4vp
	$(FUZZ) '^FuzzParsePrivateKey$$' ./keys
	$(FUZZ) '^FuzzParseURI$$' ./hsm
	$(FUZZ) '^FuzzNodeURL$$' ./cli
	$(FUZZ) '^FuzzParseCursor$$' ./events
	$(FUZZ) '^FuzzParseFilter$$' ./events
	$(FUZZ) '^FuzzDecodeSnapshotMeta$$' ./chain
	$(FUZZ) '^FuzzRestoreChunk$$' ./chain
	rm -rf bin/fuzz

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
