package webui

import (
	"embed"
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// staticFiles is the web inbox: the static directory, embedded at build
// time. It is served at the root: static/index.html at "/", every other
// file at its path below static ("/app.css", "/js/app.js").
//
//go:embed static
var staticFiles embed.FS

// staticFS returns the embedded static directory as the root of an fs.FS.
func staticFS() fs.FS {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err) // "static" is a valid path; fs.Sub cannot fail on it
	}
	return sub
}

// serveStatic serves GET / and every path no API route matches: the
// embedded inbox files, under the inbox's CSP. Unknown paths, directories
// (no listings) and anything under /api/ get a JSON 404.
func (h *Handler) serveStatic(w http.ResponseWriter, r *http.Request) {
	p := path.Clean(r.URL.Path)
	if p == "/api" || strings.HasPrefix(p, "/api/") {
		writeError(w, http.StatusNotFound, "no such endpoint: %s %s", r.Method, r.URL.Path)
		return
	}
	name := strings.TrimPrefix(p, "/")
	if name == "" {
		name = "index.html"
	}
	fi, err := fs.Stat(h.static, name)
	if err != nil || (fi.IsDir() && p != "/") {
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			h.log.Error("static", "path", name, "err", err)
		}
		writeError(w, http.StatusNotFound, "not found: %s", r.URL.Path)
		return
	}
	hd := w.Header()
	hd.Set("Content-Security-Policy", appPolicy(r))
	hd.Set("Cache-Control", "no-cache")
	h.files.ServeHTTP(&jsonErrorWriter{ResponseWriter: w}, r)
}
