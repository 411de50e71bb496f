package money

import (
	"errors"
	"testing"
)

func TestParseYuan(t *testing.T) {
	tests := []struct {
		in   string
		want Fen
		err  error
	}{
		{"0.01", 1, nil},
		{"1", 100, nil},
		{"1.5", 150, nil},
		{"10000", 1000000, nil},
		{"1,234.50", 123450, nil},
		{"1.500", 150, nil},
		{" 3.00 ", 300, nil},
		{".5", 50, nil},
		{"0.001", 0, ErrTooPrecise},
		{"-1", -100, ErrNegative},
		{"abc", 0, ErrSyntax},
		{"1e400", 0, ErrSyntax},
		{"NaN", 0, ErrSyntax},
		{"Infinity", 0, ErrSyntax},
		{"", 0, ErrEmpty},
		{"1.", 0, ErrSyntax},
		{".", 0, ErrSyntax},
		{"12,34", 0, ErrSyntax},
		{"99999999999999999999", 0, ErrOutOfRange},
	}
	for _, tt := range tests {
		got, err := ParseYuan(tt.in)
		if !errors.Is(err, tt.err) {
			t.Errorf("ParseYuan(%q) error = %v, want %v", tt.in, err, tt.err)
			continue
		}
		if err == nil && got != tt.want {
			t.Errorf("ParseYuan(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		in         Fen
		short, two string
	}{
		{1, "0.01", "0.01"},
		{10, "0.1", "0.10"},
		{100, "1", "1.00"},
		{123450, "1234.5", "1234.50"},
		{1000000, "10000", "10000.00"},
		{0, "0", "0.00"},
		{-5, "-0.05", "-0.05"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.short {
			t.Errorf("Fen(%d).String() = %q, want %q", tt.in, got, tt.short)
		}
		if got := tt.in.Fixed2(); got != tt.two {
			t.Errorf("Fen(%d).Fixed2() = %q, want %q", tt.in, got, tt.two)
		}
	}
}
