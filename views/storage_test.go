package views

import (
	"context"
	"testing"
	"time"
)

func TestByteSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 2048: "2 KB", 1536: "1.5 KB", 5 << 20: "5 MB", 3<<30 + 1<<29: "3.5 GB"} {
		if got := byteSize(n); got != want {
			t.Errorf("byteSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestRetentionText(t *testing.T) {
	en := WithLang(context.Background(), "en")
	for d, want := range map[time.Duration]string{0: "kept forever", 90 * 24 * time.Hour: "deleted after 90 days", 200 * time.Hour: "deleted after 200 hours"} {
		if got := retentionText(en, d); got != want {
			t.Errorf("retentionText(%v) = %q, want %q", d, got, want)
		}
	}
}
