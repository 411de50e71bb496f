package app

import (
	"time"
	_ "time/tzdata" // Windows and bare containers have no zoneinfo; Shanghai must always load.
)

// Shanghai is the zone of every time a person reads.
var Shanghai = mustLoad("Asia/Shanghai")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}

// TimeLayout is how times are written for people and in the API: Shanghai time,
// "2006-01-02 15:04:05", as the merchant guide shows.
const TimeLayout = "2006-01-02 15:04:05"

// FormatTime writes t in Shanghai time; the zero time is "".
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(Shanghai).Format(TimeLayout)
}
