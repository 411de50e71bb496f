package app

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCut(t *testing.T) {
	tests := []struct {
		s    string
		max  int
		want string
	}{
		{"", 3, ""},
		{"abc", 5, "abc"},
		{"abc", 3, "abc"},
		{"abcdef", 3, "abc"},
		{"abc", 0, ""},
		{"abc", -1, ""},
		{"收到转账", 7, "收到"}, // 3-byte characters: 7 falls inside the third
		{"收到转账", 9, "收到转"},
		{"收到转账", 2, ""},
		{"a😀b", 4, "a"}, // a 4-byte character: 4 falls on its last byte
		{"a😀b", 5, "a😀"},
		{"一二三四五六七八", 20, "一二三四五六"},                          // the case: 20 falls inside 七
		{"\xff\xff\xff\xff\xff\xff", 4, "\xff\xff\xff\xff"}, // not UTF-8: cut at the bound
		{"\x80\x80\x80\x80\x80\x80", 4, "\x80\x80\x80\x80"},
		{"ab\x80\x80\x80\x80\x80", 6, "ab\x80\x80\x80\x80"}, // no character starts in the last 4 bytes: not UTF-8
	}
	for _, tt := range tests {
		if got := Cut(tt.s, tt.max); got != tt.want {
			t.Errorf("Cut(%q, %d) = %q, want %q", tt.s, tt.max, got, tt.want)
		}
	}
}

func TestCutRunes(t *testing.T) {
	tests := []struct {
		s    string
		max  int
		want string
	}{
		{"", 3, ""},
		{"abc", 3, "abc"},
		{"abcd", 3, "abc"},
		{"商品名称很长", 4, "商品名称"},
		{"商品", 4, "商品"},
		{"a😀bc", 2, "a😀"},
		{"abc", 0, ""},
		{"a\xffb\xffc", 3, "a\xffb"}, // a byte that is not UTF-8 counts as one character and is kept
	}
	for _, tt := range tests {
		if got := CutRunes(tt.s, tt.max); got != tt.want {
			t.Errorf("CutRunes(%q, %d) = %q, want %q", tt.s, tt.max, got, tt.want)
		}
	}
}

func TestClip(t *testing.T) {
	tests := []struct {
		s    string
		max  int
		want string
	}{
		{"12.345", 20, "12.345"},
		{strings.Repeat("9", 20), 20, strings.Repeat("9", 20)}, // at the limit: nothing cut, no ellipsis
		{strings.Repeat("9", 21), 20, strings.Repeat("9", 20) + "…"},
		{"一二三四五六七八", 20, "一二三四五六…"}, // the issue: was "一二三四五六\ufffd\ufffd…"
		{"一二三四五六七", 21, "一二三四五六七"},
		{"abc", 0, "…"},
	}
	for _, tt := range tests {
		got := Clip(tt.s, tt.max)
		if got != tt.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tt.s, tt.max, got, tt.want)
		}
		if utf8.ValidString(tt.s) && !utf8.ValidString(got) {
			t.Errorf("Clip(%q, %d) = %q splits a character", tt.s, tt.max, got)
		}
	}
}

func TestClipRunes(t *testing.T) {
	tests := []struct {
		s    string
		max  int
		want string
	}{
		{"一二三", 3, "一二三"},
		{"一二三四", 3, "一二三…"},
		{"  padded  ", 3, "  p…"}, // no trimming: that is the caller's choice
		{"", 5, ""},
	}
	for _, tt := range tests {
		if got := ClipRunes(tt.s, tt.max); got != tt.want {
			t.Errorf("ClipRunes(%q, %d) = %q, want %q", tt.s, tt.max, got, tt.want)
		}
	}
}

func TestQuoteShort(t *testing.T) {
	tests := []struct{ s, want string }{
		{"RSA", `"RSA"`},
		{"", `""`},
		{strings.Repeat("订", 40), `"` + strings.Repeat("订", 40) + `"`},
		{strings.Repeat("订", 41), `"` + strings.Repeat("订", 40) + `…"`},
	}
	for _, tt := range tests {
		if got := QuoteShort(tt.s); got != tt.want {
			t.Errorf("QuoteShort(%q) = %q, want %q", tt.s, got, tt.want)
		}
	}
}
