package evidence

import (
	"encoding/binary"
	"fmt"
	"net/http"
	"slices"
	"sort"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
)

// State keys: the record of each hash, the hash of each custom key, each
// signature (by signer DID) and each log line (by sequence number).
const (
	prefixRecord = "evidence/h/"
	prefixKey    = "evidence/k/"
	prefixSig    = "evidence/s/"
	prefixLog    = "evidence/l/"
)

func recordKey(hash string) []byte { return []byte(prefixRecord + hash) }
func customKey(key string) []byte  { return []byte(prefixKey + key) }
func sigPrefix(hash string) []byte { return []byte(prefixSig + hash + "/") }
func sigKey(hash, d string) []byte { return []byte(prefixSig + hash + "/" + d) }
func logPrefix(hash string) []byte { return []byte(prefixLog + hash + "/") }
func logKey(hash string, seq int) []byte {
	return binary.BigEndian.AppendUint64(logPrefix(hash), uint64(seq))
}

// Record is api.EvidenceRecord.
type Record = api.EvidenceRecord

// Signature is api.EvidenceSignature.
type Signature = api.EvidenceSignature

// Change is api.EvidenceChange.
type Change = api.EvidenceChange

// Log is api.EvidenceLog.
type Log = api.EvidenceLog

// Evidence is api.Evidence.
type Evidence = api.Evidence

// GetRecord returns the record of hash, if any.
func GetRecord(st chain.Reader, hash string) (*Record, bool, error) {
	return chain.LoadJSON[Record](st, recordKey(hash))
}

// HashForKey returns the hash recorded under custom key, if any.
func HashForKey(st chain.Reader, key string) (string, bool, error) {
	v, ok, err := st.Get(customKey(key))
	return string(v), ok, err
}

// findRecord returns the record of the evidence of hash, or a 400
// evidence.invalidHash for a hash that is none, or a 404 evidence.notFound.
func findRecord(st chain.Reader, hash string) (*Record, error) {
	if err := ValidHash(hash); err != nil {
		return nil, err
	}
	return mustRecord(st, hash)
}

// mustRecord returns the record of the evidence of hash, a valid hash, or
// a 404 evidence.notFound.
func mustRecord(st chain.Reader, hash string) (*Record, error) {
	r, ok, err := GetRecord(st, hash)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errs.New(http.StatusNotFound, "evidence.notFound", "no evidence of hash %s", hash)
	}
	return r, nil
}

// Get returns the evidence of hash with its signatures and logs, or a 404
// evidence.notFound.
func Get(s chain.Scanner, hash string) (*Evidence, error) {
	r, err := findRecord(s, hash)
	if err != nil {
		return nil, err
	}
	e := &Evidence{EvidenceRecord: *r, Signatures: []Signature{}, Logs: []Log{}}
	if e.Signatures, err = chain.AppendJSON(e.Signatures, s.Scan, sigPrefix(hash), nil, 0); err != nil {
		return nil, err
	}
	sort.Slice(e.Signatures, func(i, j int) bool { return e.Signatures[i].Seq < e.Signatures[j].Seq })
	if e.Logs, err = chain.AppendJSON(e.Logs, s.Scan, logPrefix(hash), nil, 0); err != nil {
		return nil, err
	}
	return e, nil
}

// GetNamed returns the evidence of hash as st holds it, read key by key
// without a scan: its record, the signature of each DID of signers, which
// must be as many as the record counts (so none is left out), and its log
// lines by number. It is for a reader whose every value is proven
// (client.ProveSnapshot proves NamedKeys at one block), which cannot
// scan: signers are the DIDs a node named, checked here. A 404
// evidence.notFound if there is none.
func GetNamed(st chain.Reader, hash string, signers []string) (*Evidence, error) {
	r, err := findRecord(st, hash)
	if err != nil {
		return nil, err
	}
	if len(signers) != r.SignatureCount {
		return nil, fmt.Errorf("%d signers named, the record of %s counts %d signatures", len(signers), hash, r.SignatureCount)
	}
	e := &Evidence{EvidenceRecord: *r, Signatures: make([]Signature, 0, len(signers)), Logs: make([]Log, 0, r.LogCount)}
	for _, d := range signers {
		sg, ok, err := chain.LoadJSON[Signature](st, sigKey(hash, d))
		if err != nil {
			return nil, err
		}
		if !ok || sg.DID != d || slices.ContainsFunc(e.Signatures, func(s Signature) bool { return s.DID == d }) {
			return nil, fmt.Errorf("%s has no signature of %s (or it is named twice)", hash, d)
		}
		e.Signatures = append(e.Signatures, *sg)
	}
	sort.Slice(e.Signatures, func(i, j int) bool { return e.Signatures[i].Seq < e.Signatures[j].Seq })
	for seq := range r.LogCount {
		l, ok, err := chain.LoadJSON[Log](st, logKey(hash, seq))
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("%s has no log line %d of the %d its record counts", hash, seq, r.LogCount)
		}
		e.Logs = append(e.Logs, *l)
	}
	return e, nil
}

// MaxNamedKeys is the most state keys one evidence has: its record, a
// signature per signer and its log lines.
const MaxNamedKeys = 1 + MaxSigners + MaxLogs

// NamedKeys returns the state keys GetNamed reads for the evidence of
// hash with signers and logs log lines: its record first.
func NamedKeys(hash string, signers []string, logs int) [][]byte {
	keys := make([][]byte, 0, 1+len(signers)+logs)
	keys = append(keys, recordKey(hash))
	for _, d := range signers {
		keys = append(keys, sigKey(hash, d))
	}
	for seq := range logs {
		keys = append(keys, logKey(hash, seq))
	}
	return keys
}

// GetByKey returns the evidence recorded under custom key.
func GetByKey(s chain.Scanner, key string) (*Evidence, error) {
	if err := ValidKey(key); err != nil {
		return nil, err
	}
	h, ok, err := HashForKey(s, key)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errs.New(http.StatusNotFound, "evidence.notFound", "no evidence has the key %q", key)
	}
	return Get(s, h)
}
