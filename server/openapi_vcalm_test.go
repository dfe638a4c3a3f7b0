package server

import (
	"net/url"
	"slices"
	"sort"
	"strconv"
	"testing"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/credential"
)

// vcalmStatuses are the statuses /openapi.json may list for W3C VCALM's
// operations: the VCALM OpenAPI's own (201 and 400 for issuing; 200 and
// 400 for verifying, with 413 for a presentation; 200, 400 and 404 for a
// status update), the bearer schemes' 401 and 403 (RFC 6750 §3.1), 404
// for an issuer instance of the path that does not exist, 409 for a
// status change the list's state refuses, 413 for content too large
// (RFC 9110 §15.5.14), and the node's 500 and 503.
var vcalmStatuses = map[string][]int{
	"POST /credentials/issue":                {201, 400, 401, 403, 413, 500, 503},
	"POST /issuers/{name}/credentials/issue": {201, 400, 401, 403, 404, 413, 500, 503},
	"POST /credentials/verify":               {200, 400, 413, 500, 503},
	"POST /presentations/verify":             {200, 400, 413, 500, 503},
	"POST /credentials/status":               {200, 400, 401, 403, 404, 409, 413, 500, 503},
}

// TestOpenAPI_VCALMStatuses keeps the statuses /openapi.json documents for
// the VC-API operations to those W3C VCALM lists and the few HTTP itself
// implies (vcalmStatuses): no 422 for a credential that fails its schema.
func TestOpenAPI_VCALMStatuses(t *testing.T) {
	doc := loadOpenAPI(t)
	seen := 0
	operations(doc, func(method, path string, op map[string]any) {
		want, ok := vcalmStatuses[method+" "+path]
		if !ok {
			return
		}
		seen++
		var got []int
		for s := range obj(op["responses"]) {
			n, err := strconv.Atoi(s)
			if err != nil {
				t.Errorf("%s %s: response %q", method, path, s)
			}
			got = append(got, n)
		}
		sort.Ints(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s %s documents statuses %v, want %v", method, path, got, want)
		}
	})
	if seen != len(vcalmStatuses) {
		t.Errorf("found %d of the %d VC-API operations", seen, len(vcalmStatuses))
	}
}

// TestOpenAPI_VerifyOptionsAsRead: the verify options /openapi.json lists
// for POST /credentials/verify and for the JSON batch (VerifyBatchOptions)
// are the same, each is one credential.PolicyFrom reads, and a stream
// takes each as the query parameter of its name
// (api.BatchOptionsFromQuery).
func TestOpenAPI_VerifyOptionsAsRead(t *testing.T) {
	doc := loadOpenAPI(t)
	schemas := obj(obj(doc["components"])["schemas"])
	single := obj(obj(obj(obj(schemas["VerifyRequest"])["properties"])["options"])["properties"])
	batchOpts := obj(obj(schemas["VerifyBatchOptions"])["properties"])
	var names []string
	for n := range batchOpts {
		names = append(names, n)
	}
	for n := range single {
		if batchOpts[n] == nil {
			t.Errorf("VerifyRequest.options has %q, VerifyBatchOptions does not", n)
		}
	}
	if len(single) != len(batchOpts) {
		t.Errorf("VerifyRequest.options has %d options, VerifyBatchOptions %d", len(single), len(batchOpts))
	}
	var params []string
	for _, p := range obj(obj(doc["paths"])[api.PathVerifyBatch])["post"].(map[string]any)["parameters"].([]any) {
		params = append(params, obj(p)["name"].(string))
	}
	for _, n := range names {
		typ := obj(batchOpts[n])["type"]
		var v any = "x"
		if typ == "boolean" {
			v = true
		}
		if (credential.PolicyFrom(map[string]any{n: v}) == credential.Policy{}) {
			t.Errorf("option %q (%v) is documented but not read by credential.PolicyFrom", n, typ)
		}
		if !slices.Contains(params, n) {
			t.Errorf("option %q is not a query parameter of the stream", n)
		}
		q := url.Values{n: {"true"}}
		if o, err := api.BatchOptionsFromQuery(q); err != nil || (o == api.BatchOptions{}) {
			t.Errorf("the stream's query parameter %q is not read: %+v %v", n, o, err)
		}
	}
}
