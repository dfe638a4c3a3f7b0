package schemas

import (
	"embed"
	"encoding/json"
	"fmt"

	"github.com/gowebpki/jcs"
)

//go:embed system/*.json
var systemFS embed.FS

// System is a system schema that the genesis block registers.
type System struct {
	ID     uint64
	Name   string
	Schema json.RawMessage // canonical JSON (RFC 8785)
}

// Payload returns the schema.register payload that registers s.
func (s System) Payload() *RegisterPayload {
	return &RegisterPayload{ID: s.ID, Name: s.Name, Schema: s.Schema}
}

var systemSchemas = []struct {
	id   uint64
	name string
	file string
}{
	{1, "Data authorization grant", "system/data-authorization.json"},
	{2, "University diploma", "system/university-diploma.json"},
	{3, "Professional licence", "system/professional-licence.json"},
}

// SystemSchemas returns the system schemas with their fixed ids: 1, a data
// authorization grant; 2, a university diploma; 3, a professional licence.
// The genesis block registers them with schema.register transactions signed
// by the consortium admin.
func SystemSchemas() []System {
	out := make([]System, 0, len(systemSchemas))
	for _, s := range systemSchemas {
		raw, err := systemFS.ReadFile(s.file)
		if err != nil {
			panic(fmt.Sprintf("schemas: embedded %s: %v", s.file, err))
		}
		canon, err := jcs.Transform(raw)
		if err != nil {
			panic(fmt.Sprintf("schemas: embedded %s: %v", s.file, err))
		}
		out = append(out, System{ID: s.id, Name: s.name, Schema: canon})
	}
	return out
}
