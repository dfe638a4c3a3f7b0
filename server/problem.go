package server

import "github.com/weidgo/weid/api"

// Problem is an RFC 9457 problem details object with weid's stable code
// (the wire type of package api).
type Problem = api.Problem

// ProblemTypeBase prefixes a problem's code to make its type URI.
const ProblemTypeBase = api.ProblemTypeBase
