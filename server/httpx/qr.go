package httpx

import (
	"net/http"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/oid4vci/qr"
)

// QR answers with the QR code (level M) of link: image/png (8 pixels a
// module), or image/svg+xml with ?format=svg; another format is a 400
// problem with code badFormat.
func QR(w http.ResponseWriter, r *http.Request, link, badFormat string) error {
	w.Header().Set("Cache-Control", "no-store")
	f := r.URL.Query().Get("format")
	if f != "" && f != "png" && f != "svg" {
		return errs.BadRequest(badFormat, "format is png or svg")
	}
	c, err := qr.Encode(link, qr.M)
	if err != nil {
		return err
	}
	if f == "svg" {
		w.Header().Set("Content-Type", "image/svg+xml")
		_, _ = w.Write(c.SVG(4))
		return nil
	}
	b, err := c.PNG(8, 4)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/png")
	_, _ = w.Write(b)
	return nil
}
