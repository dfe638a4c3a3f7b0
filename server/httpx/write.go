package httpx

import (
	"net/http"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/node"
)

// Write runs the ledger write w for r through node.Write: a signed
// transaction (w.Tx) as it is, a custodial one for the account of r's
// bearer token.
func Write(r *http.Request, n *node.Node, w node.Write) (chain.Receipt, *chain.Checked, error) {
	if len(w.Tx) == 0 {
		acct, err := Account(r, n)
		if err != nil {
			return chain.Receipt{}, nil, err
		}
		w.Account = acct
	}
	return n.Write(r.Context(), w)
}
