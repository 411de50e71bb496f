package forward

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"time"

	"paygate/app/sign"
)

// SmsForwarder (pppscn/SmsForwarder) signs a webhook DingTalk-style:
// sign = URLEncoder.encode(base64(HmacSHA256(secret, timestamp + "\n" + secret)))
// with timestamp in milliseconds. The encoded sign is encoded again by the
// form or query it travels in, so after ordinary decoding we may see it raw,
// once percent-encoded, or (GET without template) with '+' turned into ' '.

// DefaultSignWindow is how far a signed timestamp (SmsForwarder's, V免签's
// t) may be from the time a request arrives, unless configured otherwise.
// SmsForwarder's docs suggest an hour; its sign covers only the timestamp,
// so a shorter window leaves a captured request less time to be replayed
// (each signed timestamp is used once, but a request held back could be
// sent first).
const DefaultSignWindow = 15 * time.Minute

// smsForwarderSign is the base64 signature for secret and timestamp.
func smsForwarderSign(secret, timestamp string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp + "\n" + secret))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// normalizeSign undoes the extra encodings a sign may carry.
func normalizeSign(s string) string {
	s = strings.TrimSpace(s)
	for i := 0; i < 2 && strings.Contains(s, "%"); i++ {
		u, err := url.PathUnescape(s) // PathUnescape keeps '+' as '+'
		if err != nil {
			break
		}
		s = u
	}
	return strings.ReplaceAll(s, " ", "+")
}

// VerifySmsForwarder checks sign for secret in constant time.
func VerifySmsForwarder(secret, timestamp, signature string) bool {
	return sign.Equal(smsForwarderSign(secret, timestamp), normalizeSign(signature))
}

// TimestampFresh reports whether a millisecond (or second) timestamp is within window of now.
func TimestampFresh(ts string, now time.Time, window time.Duration) bool {
	d, ok := TimestampOffset(ts, now)
	return ok && d <= window && d >= -window
}

// TimestampOffset is how far now is past a millisecond (or second)
// timestamp: > 0 when the sender's clock is behind. ok is false for text
// that is no timestamp.
func TimestampOffset(ts string, now time.Time) (d time.Duration, ok bool) {
	t, ok := TimestampTime(ts)
	if !ok {
		return 0, false
	}
	return now.Sub(t), true
}

// TimestampTime reads a millisecond (or second) timestamp. ok is false for
// text that is no timestamp.
func TimestampTime(ts string) (time.Time, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(ts), 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}, false
	}
	if n > 1e12 {
		return time.UnixMilli(n), true
	}
	return time.Unix(n, 0), true
}
