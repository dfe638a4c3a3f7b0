package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/weidgo/weid/web"
)

// mountWeb serves the web pages (package web) beside the API: /verify,
// /explorer, /institution and their assets under /assets/. "/" serves
// the verify page too.
func mountWeb(r chi.Router) {
	r.Get("/", web.PageHandler("verify"))
	for _, p := range web.Pages {
		r.Get(p.Path(), web.PageHandler(p.Name))
	}
	r.Get("/assets/{file}", h(func(w http.ResponseWriter, r *http.Request) error {
		if !web.Asset(w, r, chi.URLParam(r, "file")) {
			return notFound(w, r)
		}
		return nil
	}))
}
