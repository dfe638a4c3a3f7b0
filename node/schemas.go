package node

import (
	"net/http"
	"strconv"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/schemas"
)

// Schema returns version (0: the latest) of schema id, or a 404
// schema.notFound.
func (n *Node) Schema(id, version uint64) (*schemas.Record, error) {
	return schemas.Get(n.Ledger, id, version)
}

// ListSchemas returns a page of up to limit schemas (their latest versions) in
// id order, starting after id after, with the cursor of the next page.
func (n *Node) ListSchemas(after uint64, limit int) (api.SchemaList, error) {
	records, next, err := listPage(func(limit int) ([]schemas.Record, error) { return schemas.List(n.Ledger, after, limit) },
		limit, func(r schemas.Record) uint64 { return r.ID })
	return api.SchemaList{Schemas: records, Next: next}, err
}

// SchemaPublished returns what the committed schema transaction of rc
// published: the schema id (assigned by the ledger for a register with id
// 0), its version and URL path.
func (n *Node) SchemaPublished(rc chain.Receipt) (api.SchemaResponse, error) {
	id, version, ok, err := schemas.Published(n.Ledger, rc.TxHash)
	if err != nil || !ok {
		return api.SchemaResponse{}, errs.New(http.StatusInternalServerError, "internal", "schema transaction %s committed but its id is unknown", rc.TxHash)
	}
	return api.SchemaResponse{ID: id, Version: version, URL: "/v1/schemas/" + strconv.FormatUint(id, 10),
		TxHash: rc.TxHash, Height: rc.Height, Status: api.StatusCommitted}, nil
}
