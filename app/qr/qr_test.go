package qr

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/skip2/go-qrcode"
)

func TestDecode(t *testing.T) {
	const payload = "https://qr.alipay.com/fkx12345abcdef"
	withCode, err := qrcode.Encode(payload, qrcode.Medium, 300)
	if err != nil {
		t.Fatal(err)
	}
	blank := image.NewRGBA(image.Rect(0, 0, 200, 200))
	for i := range blank.Pix {
		blank.Pix[i] = 0xff
	}
	blank.Set(10, 10, color.Black)
	var blankPNG bytes.Buffer
	if err := png.Encode(&blankPNG, blank); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		data    []byte
		want    string
		wantErr error
	}{
		{"QR code", withCode, payload, nil},
		{"picture without a code", blankPNG.Bytes(), "", ErrNoCode},
		{"not a picture", []byte("hello, not an image"), "", ErrNotImage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := Decode(tt.data)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Fatalf("Decode = %q, %v; want %q, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestSVG(t *testing.T) {
	svg, err := SVG("127.0.0.1:3000/abc")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(svg, "<svg") || !strings.Contains(svg, "<path d=\"M") {
		t.Fatalf("unexpected SVG: %.100s", svg)
	}
}

func TestPNGReadsBack(t *testing.T) {
	for _, payload := range []string{
		"https://qr.alipay.com/fkx12345abcdef",
		"wxp://f2f0abcdefghijklmnopqrstuvwxyz0123456789",
		"https://pay.example.com/l/ab3cd4ef",
	} {
		pic, err := PNG(payload, 8)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(pic))
		if err != nil {
			t.Fatal(err)
		}
		if w := img.Bounds().Dx(); w%8 != 0 || w != img.Bounds().Dy() {
			t.Errorf("%s: %dx%d picture, want a square of whole 8 px modules", payload, w, img.Bounds().Dy())
		}
		if len(pic) > 3000 {
			t.Errorf("%s: PNG is %d bytes; a two-colour QR code should stay under 3 kB", payload, len(pic))
		}
		got, _, err := Decode(pic)
		if err != nil || got != payload {
			t.Errorf("PNG(%q) reads back as %q, %v", payload, got, err)
		}
	}
}
