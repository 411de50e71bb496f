package views

// timeFix is one language's way to read the callback timestamp as Shanghai
// time; the snippets are run under their interpreters with TZ=UTC in
// attempt_hint_test.go.
type timeFix struct {
	Lang, File string
}

// timeFixes are shown with the hint and on /docs#callback-time.
var timeFixes = []timeFix{
	{"Python", "shanghai_time.py"},
	{"Node.js", "shanghai_time.js"},
	{"PHP", "shanghai_time.php"},
	{"Go", "shanghai_time.go.txt"},
}
