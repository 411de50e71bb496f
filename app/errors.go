// Package app holds paygate's domain: the types every other package shares and
// the error type whose codes the HTTP layer maps to statuses in one place.
package app

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. The web layer maps each to one HTTP status.
const (
	EINVALID      = "invalid"         // bad input: 400
	EUNAUTHORIZED = "unauthorized"    // missing or wrong key: 401
	EFORBIDDEN    = "forbidden"       // authenticated but not allowed: 403
	ENOTFOUND     = "not_found"       // 404
	ECONFLICT     = "conflict"        // state does not allow it: 409
	ESLOTSFULL    = "slots_exhausted" // no free payable amount: 409
	ETOOLARGE     = "too_large"       // request body over the limit: 413
	ERATELIMIT    = "rate_limited"    // 429
	EUNAVAILABLE  = "unavailable"     // temporarily unable: 503
	EDISKFULL     = "disk_full"       // the disk is full: 503, recovers once space is freed
	EINTERNAL     = "internal"        // a bug or an I/O failure: 500
	EUNSUPPORTED  = "unsupported"     // unsupported media type: 415
)

// Error is an error a person can act on: a code for machines, the offending
// field if any, and a message in Chinese and English.
type Error struct {
	Code  string
	Field string
	Zh    string
	En    string
	// RetryAfter, for rate_limited and disk_full errors, is when trying again may work.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s (%s): %s", e.Code, e.Field, e.En)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.En)
}

// NewError builds an *Error. zh and en are complete sentences saying what was
// wrong and what to do (not format strings).
func NewError(code, field, zh, en string) *Error {
	return &Error{Code: code, Field: field, Zh: zh, En: en}
}

// ErrorCode returns the code of err, EINTERNAL for errors that are not ours.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return EINTERNAL
}

// ServerFault reports whether err is the server's trouble — a bug, an I/O
// failure, a full disk — rather than something wrong with the request: the
// same request may well succeed later.
func ServerFault(err error) bool {
	switch ErrorCode(err) {
	case EINTERNAL, EDISKFULL:
		return true
	}
	return false
}

// ErrorMessage returns err's message for a person in lang ("zh" or "en").
// Errors that are not ours get a generic text: their detail belongs in the log.
func ErrorMessage(err error, lang string) string {
	var e *Error
	if errors.As(err, &e) {
		if lang == "en" {
			return e.En
		}
		return e.Zh
	}
	if lang == "en" {
		return "Internal error. Please try again; if it keeps happening, check the paygate log."
	}
	return "服务器内部错误，请稍后重试；如果一直出现，请查看 paygate 的日志。"
}

// ErrorField returns the field err is about, if any.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// ErrorRetryAfter returns how long the client should wait before retrying, 0 if not said.
func ErrorRetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}
