package httpx

import "net/http"

// Reply writes v as JSON with status, or returns err if it is not nil, so
// that a handler can end with
//
//	list, err := h.Node.Validators()
//	return httpx.Reply(w, http.StatusOK, list, err)
func Reply(w http.ResponseWriter, status int, v any, err error) error {
	if err != nil {
		return err
	}
	return JSON(w, status, v)
}
