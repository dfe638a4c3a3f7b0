package ldproof

// ForJSONLD copies a value decoded by strictjson (numbers as json.Number)
// into the form json-gold expects, numbers as float64: what every
// expansion of this package starts from, for callers that expand
// documents themselves (the credential package's term check).
func ForJSONLD(v any) any { return forJSONLD(v) }

// WithoutMembers returns a copy of doc with the members of the given
// names removed everywhere outside @context values: the document less
// those statements, as undefined-term searches try it.
func WithoutMembers(doc map[string]any, names ...string) map[string]any {
	drop := make(map[string]bool, len(names))
	for _, n := range names {
		drop[n] = true
	}
	return without(doc, drop)
}
