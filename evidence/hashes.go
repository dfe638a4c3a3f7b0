package evidence

import "github.com/weidgo/weid/chain"

// Hashes lists the evidence hashes an evidence payload touches, in order
// (a batch's, one per item); none for any other payload. Receipts of
// evidence writes name them.
func Hashes(p chain.Payload) []string {
	switch p := p.(type) {
	case *CreatePayload:
		return []string{p.Hash}
	case *SignPayload:
		return []string{p.Hash}
	case *RevokePayload:
		return []string{p.Hash}
	case *LogPayload:
		return []string{p.Hash}
	case *BatchPayload:
		out := make([]string, len(p.Items))
		for i, it := range p.Items {
			out[i] = it.Hash
		}
		return out
	}
	return []string{}
}
