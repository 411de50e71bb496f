// Package money holds amounts as integer fen and converts them to and from the
// decimal text people and JSON use. No float ever touches an amount.
package money

import (
	"errors"
	"strconv"
	"strings"
)

// Fen is an amount of Chinese yuan in hundredths (分).
type Fen int64

// Errors returned by ParseYuan; callers turn them into messages for people.
var (
	ErrEmpty        = errors.New("amount is empty")
	ErrSyntax       = errors.New("amount is not a plain decimal number")
	ErrTooPrecise   = errors.New("amount has more than 2 decimal places")
	ErrNegative     = errors.New("amount is negative")
	ErrOutOfRange   = errors.New("amount is too large")
	maxParsableYuan = int64(1_000_000_000_000) // keeps fen arithmetic far from int64 overflow
)

// ParseYuan reads a plain decimal such as "12", "12.3", "0.05" or "1,234.50"
// (ASCII thousands separators allowed between digit groups) into fen.
// Exponents, signs other than a leading '-', NaN and Inf are rejected.
func ParseYuan(s string) (Fen, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, ErrEmpty
	}
	neg := false
	if s[0] == '-' {
		neg = true
		s = s[1:]
	} else if s[0] == '+' {
		s = s[1:]
	}
	intPart, fracPart, hasDot := strings.Cut(s, ".")
	if intPart == "" && (!hasDot || fracPart == "") {
		return 0, ErrSyntax
	}
	if hasDot && fracPart == "" {
		return 0, ErrSyntax
	}
	intPart, ok := stripThousands(intPart)
	if !ok {
		return 0, ErrSyntax
	}
	for _, c := range fracPart {
		if c < '0' || c > '9' {
			return 0, ErrSyntax
		}
	}
	// Trailing zeros beyond two places ("1.500") carry no extra precision.
	for len(fracPart) > 2 && fracPart[len(fracPart)-1] == '0' {
		fracPart = fracPart[:len(fracPart)-1]
	}
	if len(fracPart) > 2 {
		return 0, ErrTooPrecise
	}
	var yuan int64
	if intPart != "" {
		if len(intPart) > 13 {
			return 0, ErrOutOfRange
		}
		v, err := strconv.ParseInt(intPart, 10, 64)
		if err != nil {
			return 0, ErrSyntax
		}
		yuan = v
	}
	if yuan > maxParsableYuan {
		return 0, ErrOutOfRange
	}
	var cents int64
	switch len(fracPart) {
	case 1:
		cents = int64(fracPart[0]-'0') * 10
	case 2:
		cents = int64(fracPart[0]-'0')*10 + int64(fracPart[1]-'0')
	}
	f := Fen(yuan*100 + cents)
	if neg {
		if f == 0 {
			return 0, nil
		}
		return -f, ErrNegative
	}
	return f, nil
}

// stripThousands removes ',' separators when they sit between groups of three
// digits ("1,234,567"), and reports whether the rest is all digits.
func stripThousands(s string) (string, bool) {
	if !strings.Contains(s, ",") {
		for _, c := range s {
			if c < '0' || c > '9' {
				return "", false
			}
		}
		return s, true
	}
	groups := strings.Split(s, ",")
	if len(groups[0]) == 0 || len(groups[0]) > 3 {
		return "", false
	}
	for i, g := range groups {
		if i > 0 && len(g) != 3 {
			return "", false
		}
		for _, c := range g {
			if c < '0' || c > '9' {
				return "", false
			}
		}
	}
	return strings.Join(groups, ""), true
}

// String is the shortest decimal form, as JavaScript's String(Number) and PHP
// print it: 100 → "1", 10 → "0.1", 1 → "0.01", 123450 → "1234.5".
func (f Fen) String() string {
	neg := f < 0
	if neg {
		f = -f
	}
	yuan, cents := int64(f)/100, int64(f)%100
	var s string
	switch {
	case cents == 0:
		s = strconv.FormatInt(yuan, 10)
	case cents%10 == 0:
		s = strconv.FormatInt(yuan, 10) + "." + strconv.FormatInt(cents/10, 10)
	default:
		s = strconv.FormatInt(yuan, 10) + "." + string(rune('0'+cents/10)) + string(rune('0'+cents%10))
	}
	if neg {
		return "-" + s
	}
	return s
}

// Fixed2 is the two-decimal form people read: 100 → "1.00".
func (f Fen) Fixed2() string {
	neg := f < 0
	if neg {
		f = -f
	}
	s := strconv.FormatInt(int64(f)/100, 10) + "." + string(rune('0'+int64(f)%100/10)) + string(rune('0'+int64(f)%10))
	if neg {
		return "-" + s
	}
	return s
}

// MarshalJSON writes the amount as a JSON number in shortest form.
func (f Fen) MarshalJSON() ([]byte, error) {
	return []byte(f.String()), nil
}
