package events

import (
	"slices"
	"strings"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/status"
)

// Limits of a filter.
const (
	// MaxTypePatterns bounds the type patterns of a filter.
	MaxTypePatterns = 64
	// MaxDIDLength bounds the DID a filter names.
	MaxDIDLength = 2048
)

// Filter selects events: by type (any of Types), and, if set, by the DID
// they concern and by status list. The zero Filter selects every event.
type Filter struct {
	types map[string]bool // nil: all
	// DID keeps the events about this DID: as subject (Event.DID), signer,
	// grantor or grantee.
	DID string
	// StatusList keeps the events of this status list.
	StatusList string
}

// areas are the first segments of the event types ("did" of "did.created").
var areas = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range api.EventTypes {
		m[t[:strings.IndexByte(t, '.')]] = true
	}
	return m
}()

// ParseFilter reads a filter: type patterns (each an event type, an area
// with a wildcard such as "did.*", or "*"), a DID and a status list id,
// any of them empty. Errors are 400: events.unknownType (a well-formed
// type or area weid does not have), events.badType (not a type pattern),
// events.badDid, events.badStatusList.
func ParseFilter(types []string, d, list string) (*Filter, error) {
	f := &Filter{DID: d, StatusList: list}
	if len(types) > MaxTypePatterns {
		return nil, errs.BadRequest("events.badType", "at most %d type patterns, not %d", MaxTypePatterns, len(types))
	}
	for _, p := range types {
		if err := f.addType(p); err != nil {
			return nil, err
		}
	}
	if d != "" {
		if len(d) > MaxDIDLength {
			return nil, errs.BadRequest("events.badDid", "did is longer than %d characters", MaxDIDLength)
		}
		if _, err := did.ParseDID(d); err != nil {
			return nil, errs.BadRequest("events.badDid", "did %s is not a DID: %v", quote(d), err)
		}
	}
	if list != "" && !status.ValidID(list) {
		return nil, errs.BadRequest("events.badStatusList", "statusList %s is not a status list id (1 to %d characters of [a-z0-9._-])", quote(list), status.MaxIDLength)
	}
	return f, nil
}

// addType adds one type pattern.
func (f *Filter) addType(p string) error {
	if f.types == nil {
		f.types = map[string]bool{}
	}
	if p == "*" {
		for _, t := range api.EventTypes {
			f.types[t] = true
		}
		return nil
	}
	area, rest, ok := strings.Cut(p, ".")
	if !ok || area == "" || rest == "" || strings.Contains(rest, ".") || !word(area) || (rest != "*" && !word(rest)) {
		return errs.BadRequest("events.badType", "type %s is not an event type (area.name), an area with a wildcard (did.*) or *", quote(p))
	}
	if !areas[area] { // suggest only areas that have events, not area.*
		return errs.BadRequest("events.unknownType", "%s is not an event type: no event type is in area %s (areas: %s)", quote(p), quote(area), strings.Join(sortedAreas(), ", "))
	}
	if rest == "*" {
		for _, t := range api.EventTypes {
			if strings.HasPrefix(t, area+".") {
				f.types[t] = true
			}
		}
		return nil
	}
	if !slices.Contains(api.EventTypes, p) {
		return errs.BadRequest("events.unknownType", "%s is not an event type (see GET /openapi.json, or use %s.*)", quote(p), area)
	}
	f.types[p] = true
	return nil
}

// word: letters and digits only, at most 64.
func word(s string) bool {
	if len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func sortedAreas() []string {
	out := make([]string, 0, len(areas))
	for a := range areas {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// Match reports whether the filter keeps e.
func (f *Filter) Match(e *api.Event) bool {
	if f == nil {
		return true
	}
	if f.types != nil && !f.types[e.Type] {
		return false
	}
	if f.DID != "" && e.DID != f.DID && e.Grantor != f.DID && e.Grantee != f.DID && didOf(e.Signer) != f.DID {
		return false
	}
	if f.StatusList != "" && e.StatusList != f.StatusList {
		return false
	}
	return true
}

// Key is a string equal for filters that keep the same events: the
// hub filters a block once per distinct filter, not once per subscriber.
func (f *Filter) Key() string {
	if f == nil {
		return "*||"
	}
	types := "*"
	if f.types != nil {
		ts := make([]string, 0, len(f.types))
		for t := range f.types {
			ts = append(ts, t)
		}
		slices.Sort(ts)
		types = strings.Join(ts, ",")
	}
	return types + "|" + f.DID + "|" + f.StatusList
}
