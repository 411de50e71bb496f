package diskspace

import "testing"

func TestFree(t *testing.T) {
	n, ok := Free(t.TempDir())
	if !ok || n == 0 {
		t.Fatalf("Free = %d, %v: a temporary directory has some room", n, ok)
	}
	if _, ok := Free("/no/such/directory/here"); ok {
		t.Fatal("a missing directory has no free space to tell")
	}
}
