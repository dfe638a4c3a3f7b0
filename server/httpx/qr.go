package httpx

import (
	"net/http"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/qr"
)

// QR answers with the QR code (level M) of link, drawn by package
// internal/qr: image/png (8 pixels a module), or image/svg+xml with
// ?format=svg; another format is a 400 problem with code badFormat, and
// format given twice or another parameter 400 request.badQuery.
func QR(w http.ResponseWriter, r *http.Request, link, badFormat string) error {
	if err := api.CheckQuery(r.URL.Query(), []string{"format"}); err != nil {
		return err
	}
	f := r.URL.Query().Get("format")
	if f != "" && f != "png" && f != "svg" {
		return errs.BadRequest(badFormat, "format is png or svg")
	}
	c, err := qr.Encode(link)
	if err != nil {
		return err
	}
	typ := "image/png"
	var body []byte
	if f == "svg" {
		typ, body = "image/svg+xml", c.SVG()
	} else if body, err = c.PNG(); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", typ)
	_, _ = w.Write(body)
	return nil
}
