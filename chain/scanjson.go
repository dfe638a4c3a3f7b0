package chain

import (
	"encoding/json"
	"net/http"

	"github.com/weidgo/weid/errs"
)

// AppendJSON appends to dst the JSON records that scan visits under
// prefix, after the key after (nil: from the first), decoded as T: at most
// limit of them, all when limit ≤ 0. A record that does not decode stops
// the scan with a 500 internal error naming its key. scan is a Scan
// method, such as Ledger.Scan.
func AppendJSON[T any](dst []T, scan func(prefix, after []byte, f func(key, value []byte) bool) error, prefix, after []byte, limit int) ([]T, error) {
	n := 0
	var derr error
	err := scan(prefix, after, func(k, v []byte) bool {
		var x T
		if derr = json.Unmarshal(v, &x); derr != nil {
			derr = errs.New(http.StatusInternalServerError, "internal", "decode %s: %v", k, derr)
			return false
		}
		dst = append(dst, x)
		n++
		return limit <= 0 || n < limit
	})
	if err == nil {
		err = derr
	}
	return dst, err
}
