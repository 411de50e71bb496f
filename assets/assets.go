// Package assets holds the static files, embedded in the binary: the admin
// console's (htmx, CSS, the small script, the icon) and the payer pages'
// (checkout.css, checkout.js: small, no htmx). URLs carry a content hash so
// browsers may cache them for a year.
package assets

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
)

// FS is the embedded files, served under /assets/.
//
//go:embed htmx.min.js admin.css admin.js announce.js favicon.svg checkout.css checkout.js
var FS embed.FS

// HtmxVersion is the vendored htmx release (from the npm package htmx.org).
const HtmxVersion = "2.0.11"

var hashes = map[string]string{}

func init() {
	entries, _ := fs.ReadDir(FS, ".")
	for _, e := range entries {
		b, err := FS.ReadFile(e.Name())
		if err != nil {
			continue
		}
		sum := sha256.Sum256(b)
		hashes[e.Name()] = hex.EncodeToString(sum[:6])
	}
}

// URL is the cache-busting address of an embedded file, e.g.
// /assets/admin.css?v=1a2b3c4d5e6f.
func URL(name string) string {
	return "/assets/" + name + "?v=" + hashes[name]
}
