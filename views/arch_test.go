package views

import (
	"go/build"
	"slices"
	"strings"
	"testing"
)

// TestLayers keeps the layers from leaking (issue #16): the views render
// the domain and the console's read models and know nothing of the gateway,
// the store or the network; the read models are plain domain data; the web
// layer reaches the store only through the gateway.
func TestLayers(t *testing.T) {
	for _, tt := range []struct {
		dir     string
		allowed []string // the only paygate packages it may import; nil: any but forbidden
		forbid  []string
	}{
		{dir: ".", allowed: []string{"paygate/app", "paygate/app/money", "paygate/app/console", "paygate/assets"}},
		{dir: "../app/console", allowed: []string{"paygate/app", "paygate/app/money"}},
		{dir: "../app/web", forbid: []string{"paygate/app/store"}},
	} {
		pkg, err := build.ImportDir(tt.dir, 0) // Imports: the package's own files, not its tests
		if err != nil {
			t.Fatalf("%s: %v", tt.dir, err)
		}
		if len(pkg.Imports) == 0 {
			t.Fatalf("%s: no imports read", tt.dir)
		}
		for _, imp := range pkg.Imports {
			if !strings.HasPrefix(imp, "paygate/") && imp != "paygate" {
				continue
			}
			if tt.allowed != nil && !slices.Contains(tt.allowed, imp) {
				t.Errorf("%s imports %s: of paygate it may import only %v", tt.dir, imp, tt.allowed)
			}
			if slices.Contains(tt.forbid, imp) {
				t.Errorf("%s imports %s: it may not", tt.dir, imp)
			}
		}
	}
}
