package app

import (
	"regexp"
	"strconv"
	"strings"
)

// RefusedAsExpired reports whether a merchant's answer to a callback blames
// the time: HTTP 401 or 403 with a body that mentions 过期, 时间戳, expired
// or timestamp. The usual cause is a merchant server whose zone is UTC (most
// Docker images, many VPSes) reading the callback's Shanghai timestamp as
// its own local time, as the merchant guide's Node, PHP and Python examples
// do: every callback then looks 8 hours old and is refused, though the order
// is paid. The console says so next to the attempt, with the fix.
//
// The guide's PHP (json_encode) and Python (Flask's jsonify) answer
// {"error":"\u56de\u8c03\u5df2\u8fc7\u671f"}: JSON escapes are read first.
func RefusedAsExpired(status int, body string) bool {
	if status != 401 && status != 403 {
		return false
	}
	b := strings.ToLower(jsonUnescapes.ReplaceAllStringFunc(body, func(esc string) string {
		n, _ := strconv.ParseUint(esc[2:], 16, 32) // the pattern allows only 4 hex digits
		return string(rune(n))
	}))
	for _, w := range []string{"过期", "时间戳", "expire", "timestamp"} {
		if strings.Contains(b, w) {
			return true
		}
	}
	return false
}

var jsonUnescapes = regexp.MustCompile(`\\u[0-9a-fA-F]{4}`)
