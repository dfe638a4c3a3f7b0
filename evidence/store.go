package evidence

import (
	"encoding/binary"
	"encoding/json"
	"net/http"
	"sort"

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

// Record is what the ledger keeps for an evidence besides its signatures
// and logs.
type Record struct {
	Hash           string            `json:"hash"`
	Key            string            `json:"key,omitempty"`
	Extras         map[string]string `json:"extras,omitempty"`
	Creator        string            `json:"creator"` // DID that submitted evidence.create
	Created        string            `json:"created"` // block time, RFC 3339
	Height         uint64            `json:"height"`
	TxHash         string            `json:"txHash"`
	SignatureCount int               `json:"signatureCount"`
	LogCount       int               `json:"logCount"`
}

// Signature is one DID's signature on an evidence.
type Signature struct {
	DID       string   `json:"did"`
	Method    string   `json:"method"`    // the verification method's DID URL
	Signature string   `json:"signature"` // over Message(Method, hash)
	Seq       int      `json:"seq"`       // order of signing, from 0
	Submitter string   `json:"submitter"` // DID whose transaction added it
	Signed    string   `json:"signed"`    // block time
	Height    uint64   `json:"height"`
	TxHash    string   `json:"txHash"`
	Revoked   bool     `json:"revoked"`
	Changes   []Change `json:"changes,omitempty"` // revocations and restorations, in order
}

// Change is a revocation or restoration of a signature.
type Change struct {
	Action string `json:"action"` // "revoke" or "restore"
	Time   string `json:"time"`
	Height uint64 `json:"height"`
	TxHash string `json:"txHash"`
}

// Log is one log line of an evidence.
type Log struct {
	Seq    int    `json:"seq"`
	Text   string `json:"text"`
	By     string `json:"by"` // DID whose transaction added it
	Time   string `json:"time"`
	Height uint64 `json:"height"`
	TxHash string `json:"txHash"`
}

// Evidence is an evidence with its signatures (in signing order) and logs.
type Evidence struct {
	Record
	Signatures []Signature `json:"signatures"`
	Logs       []Log       `json:"logs"`
}

// TxHashes returns the distinct transactions that recorded e: its creation,
// then signatures, changes and logs in order.
func (e *Evidence) TxHashes() []string {
	seen := map[string]bool{}
	var out []string
	add := func(h string) {
		if h != "" && !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	add(e.TxHash)
	for _, s := range e.Signatures {
		add(s.TxHash)
		for _, c := range s.Changes {
			add(c.TxHash)
		}
	}
	for _, l := range e.Logs {
		add(l.TxHash)
	}
	return out
}

// GetRecord returns the record of hash, if any.
func GetRecord(st chain.Reader, hash string) (*Record, bool, error) {
	var r Record
	ok, err := chain.GetJSON(st, recordKey(hash), &r)
	if err != nil || !ok {
		return nil, false, err
	}
	return &r, true, nil
}

// HashForKey returns the hash recorded under custom key, if any.
func HashForKey(st chain.Reader, key string) (string, bool, error) {
	v, ok, err := st.Get(customKey(key))
	return string(v), ok, err
}

// Scanner iterates committed state in key order (chain.Ledger implements it).
type Scanner interface {
	chain.Reader
	Scan(prefix, after []byte, f func(key, value []byte) bool) error
}

// Get returns the evidence of hash with its signatures and logs, or a 404
// evidence.notFound.
func Get(s Scanner, hash string) (*Evidence, error) {
	if err := ValidHash(hash); err != nil {
		return nil, err
	}
	r, ok, err := GetRecord(s, hash)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errs.New(http.StatusNotFound, "evidence.notFound", "no evidence of hash %s", hash)
	}
	e := &Evidence{Record: *r, Signatures: []Signature{}, Logs: []Log{}}
	var derr error
	err = s.Scan(sigPrefix(hash), nil, func(_, v []byte) bool {
		var sg Signature
		if derr = json.Unmarshal(v, &sg); derr != nil {
			return false
		}
		e.Signatures = append(e.Signatures, sg)
		return true
	})
	if err == nil {
		err = derr
	}
	if err != nil {
		return nil, err
	}
	sort.Slice(e.Signatures, func(i, j int) bool { return e.Signatures[i].Seq < e.Signatures[j].Seq })
	err = s.Scan(logPrefix(hash), nil, func(_, v []byte) bool {
		var l Log
		if derr = json.Unmarshal(v, &l); derr != nil {
			return false
		}
		e.Logs = append(e.Logs, l)
		return true
	})
	if err == nil {
		err = derr
	}
	if err != nil {
		return nil, err
	}
	return e, nil
}

// GetByKey returns the evidence recorded under custom key.
func GetByKey(s Scanner, key string) (*Evidence, error) {
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
