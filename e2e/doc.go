// Package e2e holds paygate's end-to-end tests. TestMain (main_test.go)
// builds the real binary from the module root; each test starts it on a
// temporary data directory and uses it as merchants, phones, payers,
// browsers and attackers do: over HTTP, on the command line, with kill -9.
// Nothing here is imported; run it with go test ./e2e.
package e2e
