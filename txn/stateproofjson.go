package txn

import (
	"strconv"

	"github.com/weidgo/weid/internal/strictjson"
)

// A proven read's answer is mostly its StateProofs: dozens of hashes in
// strings. AppendJSON encodes them as encoding/json does (the same members
// in the same order, omitempty alike, no HTML escaping), without its
// reflection: the node encodes one per read.

// AppendJSON appends the JSON encoding of s (an error only for a commit
// whose signed header is not JSON).
func (s *StateProofs) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"header":`...)
	b = s.Header.AppendJSON(b)
	b = appendMember(b, "blockHash", s.BlockHash)
	b = appendMember(b, "signature", s.Signature)
	if s.Commit != nil {
		c, err := strictjson.Marshal(s.Commit)
		if err != nil {
			return nil, err
		}
		b = append(append(b, `,"commit":`...), c...)
	}
	b = append(b, `,"proofs":`...)
	if s.Proofs == nil {
		return append(b, "null}"...), nil
	}
	b = append(b, '[')
	for i, p := range s.Proofs {
		if i > 0 {
			b = append(b, ',')
		}
		b = p.AppendJSON(b)
	}
	return append(b, "]}"...), nil
}

// AppendJSON appends the JSON encoding of h.
func (h *Header) AppendJSON(b []byte) []byte {
	b = append(b, `{"chainId":`...)
	b = appendString(b, h.ChainID)
	b = append(b, `,"height":`...)
	b = strconv.AppendUint(b, h.Height, 10)
	b = appendMember(b, "time", h.Time)
	b = appendMember(b, "prevHash", h.PrevHash)
	b = append(b, `,"txCount":`...)
	b = strconv.AppendUint(b, uint64(h.TxCount), 10)
	b = appendMember(b, "txRoot", h.TxRoot)
	b = appendMember(b, "appHash", h.AppHash)
	b = appendMember(b, "proposer", h.Proposer)
	return append(b, '}')
}

// AppendJSON appends the JSON encoding of p (null for a nil p).
func (p *StateProof) AppendJSON(b []byte) []byte {
	if p == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"hash":`...)
	b = appendString(b, p.Hash)
	b = appendMember(b, "key", p.Key)
	if p.Value != "" {
		b = appendMember(b, "value", p.Value)
	}
	b = append(b, `,"exists":`...)
	b = strconv.AppendBool(b, p.Exists)
	b = append(b, `,"siblings":`...)
	if p.Siblings == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, s := range p.Siblings {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, s)
		}
		b = append(b, ']')
	}
	if p.Other != nil {
		b = append(b, `,"other":{"keyHash":`...)
		b = appendString(b, p.Other.KeyHash)
		b = appendMember(b, "valueHash", p.Other.ValueHash)
		b = append(b, '}')
	}
	b = appendMember(b, "root", p.Root)
	return append(b, '}')
}

// appendMember appends ,"name":"value" (name needs no escaping).
func appendMember(b []byte, name, value string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendString(b, value)
}

// appendString appends s as a JSON string. Hashes, base64url and
// multibase need no escaping; anything else goes through encoding/json.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
			q, _ := strictjson.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
