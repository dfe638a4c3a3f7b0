package schemas

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// checkCycles refuses a compiled schema in which a subschema applies itself
// to the very instance it is checking, through a chain of "$ref",
// "$dynamicRef", "allOf", "anyOf", "oneOf", "not", "if", "then", "else" or
// "dependentSchemas" that never descends into a property or an item:
// {"$ref":"#"}, or two $defs referring to each other. JSON Schema Core
// 2020-12 §9.4.1 ("Guarding Against Infinite Recursion") says schemas should
// not do this and leaves the outcome undefined: this validator breaks the
// loop by failing the claims that reach it, blaming them with a "reference
// cycle" for a fault of the schema (every claim, for {"$ref":"#"}), and
// another verifier's validator may never return.
// A recursive schema that descends ("properties", "items", …) before it
// comes back, such as a tree of children, is fine.
func checkCycles(root *jsonschema.Schema) error {
	const (
		unseen = iota
		onPath
		done
	)
	state := map[*jsonschema.Schema]int{}
	var visit func(s *jsonschema.Schema) *jsonschema.Schema
	// visit walks the in-place edges depth first and returns a schema on a
	// cycle, if it meets one.
	visit = func(s *jsonschema.Schema) *jsonschema.Schema {
		state[s] = onPath
		for _, n := range inPlace(s) {
			switch state[n] {
			case onPath:
				return n
			case unseen:
				if c := visit(n); c != nil {
					return c
				}
			}
		}
		state[s] = done
		return nil
	}
	seen := map[*jsonschema.Schema]bool{root: true}
	queue := []*jsonschema.Schema{root}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if state[s] == unseen {
			if c := visit(s); c != nil {
				return fmt.Errorf("schema member %s applies itself to the same claim again (through $ref, allOf, anyOf, oneOf, not, if/then/else or dependentSchemas) without descending into a property or item: an endless loop, whose outcome JSON Schema leaves undefined (Core 2020-12 §9.4.1)", location(c))
			}
		}
		for _, n := range append(inPlace(s), descending(s)...) {
			if !seen[n] {
				seen[n] = true
				queue = append(queue, n)
			}
		}
	}
	return nil
}

// The walk visits maps in key order, so the same document always gets the
// same error.

// location is a schema's JSON pointer in the document ("/$defs/a"), or its
// URL when it has an "$id" of its own.
func location(s *jsonschema.Schema) string {
	l := strings.TrimPrefix(s.Location, baseURL)
	l = strings.TrimPrefix(l, "#")
	if l == "" {
		return "/"
	}
	return l
}

// inPlace returns the subschemas s applies to the same instance.
func inPlace(s *jsonschema.Schema) []*jsonschema.Schema {
	out := []*jsonschema.Schema{s.Ref, s.RecursiveRef, s.Not, s.If, s.Then, s.Else}
	if s.DynamicRef != nil {
		out = append(out, s.DynamicRef.Ref)
	}
	out = append(out, s.AllOf...)
	out = append(out, s.AnyOf...)
	out = append(out, s.OneOf...)
	for _, k := range slices.Sorted(maps.Keys(s.DependentSchemas)) {
		out = append(out, s.DependentSchemas[k])
	}
	for _, k := range slices.Sorted(maps.Keys(s.Dependencies)) {
		if d, ok := s.Dependencies[k].(*jsonschema.Schema); ok {
			out = append(out, d)
		}
	}
	return nonNil(out)
}

// descending returns the subschemas s applies to parts of the instance
// (its properties, property names, items, content).
func descending(s *jsonschema.Schema) []*jsonschema.Schema {
	out := []*jsonschema.Schema{s.PropertyNames, s.UnevaluatedProperties, s.Contains, s.Items2020, s.UnevaluatedItems, s.ContentSchema}
	for _, k := range slices.Sorted(maps.Keys(s.Properties)) {
		out = append(out, s.Properties[k])
	}
	pats := slices.SortedFunc(maps.Keys(s.PatternProperties), func(a, b jsonschema.Regexp) int {
		return strings.Compare(a.String(), b.String())
	})
	for _, p := range pats {
		out = append(out, s.PatternProperties[p])
	}
	out = append(out, s.PrefixItems...)
	for _, v := range []any{s.AdditionalProperties, s.Items, s.AdditionalItems} {
		switch v := v.(type) {
		case *jsonschema.Schema:
			out = append(out, v)
		case []*jsonschema.Schema:
			out = append(out, v...)
		}
	}
	return nonNil(out)
}

func nonNil(ss []*jsonschema.Schema) []*jsonschema.Schema {
	out := ss[:0]
	for _, s := range ss {
		if s != nil {
			out = append(out, s)
		}
	}
	return out
}
