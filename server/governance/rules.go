package governance

import (
	"net/http"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/server/httpx"
)

// ScheduleRules schedules the next version of the ledger's rules from a
// weid height on, replacing a change scheduled before (admin or committee
// member): POST /v1/rules.
func (h *Handlers) ScheduleRules(w http.ResponseWriter, r *http.Request) error {
	resp, _, err := write(h, r, authz.TxScheduleRules, nil, func(req *api.RulesRequest) (chain.Payload, error) {
		return &authz.ScheduleRulesPayload{Version: req.Version, Height: req.Height}, nil
	})
	return httpx.Reply(w, http.StatusOK, resp, err)
}

// CancelRules cancels the scheduled change to the version in the path
// (admin or committee member): DELETE /v1/rules/{version}.
func (h *Handlers) CancelRules(w http.ResponseWriter, r *http.Request) error {
	return pathWrite(h, w, r, authz.TxCancelRules, "version", func(v string, _ *api.Signed) (chain.Payload, error) {
		version, err := authz.ParseRulesVersion(v)
		return &authz.CancelRulesPayload{Version: version}, err
	})
}
