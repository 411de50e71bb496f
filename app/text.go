package app

import "unicode/utf8"

// Shortening text, in one place for the whole program.
//
// Cut and CutRunes shorten a value that is kept or passed on (a stored
// request, a product name, a search): they add nothing. Clip and ClipRunes
// shorten text shown to a person (an error message, a page) and mark the cut
// with Ellipsis, appended only when something was cut and not counted in the
// limit. The Bytes forms count bytes, the Runes forms characters.
//
// None of them splits a UTF-8 sequence: a byte limit that falls inside a
// character cuts before that character, so "一二三四五六七八" clipped to 20
// bytes is "一二三四五六…", never "一二三四五六\xe4\xb8…". The bytes of s are
// kept as they are: text that is not UTF-8 at the limit is cut at the limit.

// Ellipsis marks text that Clip or ClipRunes shortened.
const Ellipsis = "…"

// Cut returns s if it has at most max bytes, else its longest prefix of at
// most max bytes that ends on a character boundary.
func Cut(s string, max int) string {
	if len(s) <= max {
		return s
	}
	if max <= 0 {
		return ""
	}
	// A character starts at most UTFMax-1 bytes before s[max] when s is UTF-8 there.
	for i := max; i >= 0 && i > max-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i]
		}
	}
	return s[:max]
}

// CutRunes returns s if it has at most max characters, else its first max characters.
func CutRunes(s string, max int) string {
	if max <= 0 {
		return ""
	}
	n := 0
	for i := range s {
		if n == max {
			return s[:i]
		}
		n++
	}
	return s
}

// Clip is Cut for text shown to a person: Ellipsis is appended when s was cut.
func Clip(s string, max int) string {
	if c := Cut(s, max); len(c) < len(s) {
		return c + Ellipsis
	}
	return s
}

// ClipRunes is CutRunes for text shown to a person: Ellipsis is appended when s was cut.
func ClipRunes(s string, max int) string {
	if c := CutRunes(s, max); len(c) < len(s) {
		return c + Ellipsis
	}
	return s
}

// QuoteShort puts what a client sent in double quotes for an error message,
// clipped to 40 characters.
func QuoteShort(s string) string {
	return "\"" + ClipRunes(s, 40) + "\""
}
