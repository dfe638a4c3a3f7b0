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

// CheckSchemaVersion refuses what a request for a new version of schema id
// (POST /v1/schemas/{id}/versions, in either form) names that a version
// cannot change: a name — a schema keeps the one it was registered with,
// since schema.update carries none and the ledger copies the name forward
// — and an id other than the path's. Both were silently ignored.
func (n *Node) CheckSchemaVersion(id uint64, req *api.SchemaRequest) error {
	if req.Name != "" {
		keeps := "the name it was registered with"
		if rec, err := n.Schema(id, 0); err == nil {
			keeps = "its name " + strconv.Quote(rec.Name)
		}
		return errs.BadRequest("schema.invalidName", "\"name\": a new version cannot rename a schema; schema %d keeps %s: leave \"name\" out", id, keeps)
	}
	if req.ID != 0 && req.ID != id {
		return errs.BadRequest("schema.invalidId", "\"id\" is %d, the path names schema %d: leave \"id\" out of a versions request, the path says which schema", req.ID, id)
	}
	return nil
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
