package qr

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"github.com/skip2/go-qrcode"

	"paygate/app/qr/qrtest"
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

// A picture's header can announce far more pixels than its few bytes hold:
// a 68-byte PNG claiming 100000×100000 would have image.Decode allocate 40 GB
// and the process die. Decode reads the size first and refuses such a
// picture before decoding it, in every format it takes.
//
// Run against a Decode without that check, this test would try to allocate
// the 40 GB; to watch it fail safely, limit the address space:
// (ulimit -v 4000000; go test -run TestDecodeRefusesPictureBombs ./app/qr).
func TestDecodeRefusesPictureBombs(t *testing.T) {
	tests := []struct {
		name          string
		data          []byte
		width, height int
	}{
		{"PNG, 100000×100000", qrtest.HugePNG(100000, 100000), 100000, 100000},
		{"PNG, one pixel over 4096×4096", qrtest.HugePNG(4097, 4096), 4097, 4096},
		{"PNG, a side over 16384", qrtest.HugePNG(16385, 1000), 16385, 1000},
		{"JPEG, 65535×65535", jpegHeader(65535, 65535), 65535, 65535},
		{"GIF, 65535×65535", gifHeader(65535, 65535), 65535, 65535},
		{"WebP, 16384×16384", webpHeader(16384, 16384), 16384, 16384},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.data) > 100 {
				t.Fatalf("the bomb is %d bytes; it should be tiny", len(tt.data))
			}
			_, _, err := Decode(tt.data)
			var size SizeError
			if !errors.Is(err, ErrTooLarge) || !errors.As(err, &size) || size.Width != tt.width || size.Height != tt.height {
				t.Fatalf("Decode = %v; want ErrTooLarge for %d×%d", err, tt.width, tt.height)
			}
		})
	}
	// Within the budget the picture is decoded: this one's data is cut short.
	if _, _, err := Decode(qrtest.HugePNG(4096, 4096)); !errors.Is(err, ErrNotImage) {
		t.Fatalf("4096×4096 PNG without its data: %v, want ErrNotImage", err)
	}
}

// The budget takes the largest picture a phone makes under the 5 MB upload
// limit: a 12 MP photo (4032×3024) of a printed 收款码.
func TestDecodeReadsAPhonePhoto(t *testing.T) {
	const payload = "https://qr.alipay.com/fkx12345abcdef"
	code, err := qrcode.New(payload, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	bits := code.Bitmap()
	photo := image.NewGray(image.Rect(0, 0, 4032, 3024))
	const module, left, top = 40, 1200, 600
	for y := range photo.Rect.Dy() {
		for x := range photo.Rect.Dx() {
			v := uint8(0xf0)
			if bx, by := (x-left)/module, (y-top)/module; x >= left && y >= top && by < len(bits) && bx < len(bits) && bits[by][bx] {
				v = 0x20
			}
			photo.Pix[y*photo.Stride+x] = v
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, photo, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	if b.Len() > 5<<20 {
		t.Fatalf("the photo is %d bytes, over the upload limit", b.Len())
	}
	if got, ct, err := Decode(b.Bytes()); err != nil || got != payload || ct != "image/jpeg" {
		t.Fatalf("Decode(12 MP photo) = %q, %q, %v; want %q", got, ct, err, payload)
	}
}

// jpegHeader is the start of a baseline greyscale JPEG of width×height, up
// to its first scan.
func jpegHeader(width, height uint16) []byte {
	b := []byte{0xff, 0xd8, 0xff, 0xc0, 0, 11, 8}
	b = binary.BigEndian.AppendUint16(b, height)
	b = binary.BigEndian.AppendUint16(b, width)
	return append(b, 1, 1, 0x11, 0, 0xff, 0xda, 0, 8)
}

// gifHeader is a GIF's header and screen descriptor of width×height.
func gifHeader(width, height uint16) []byte {
	b := []byte("GIF89a")
	b = binary.LittleEndian.AppendUint16(b, width)
	b = binary.LittleEndian.AppendUint16(b, height)
	return append(b, 0, 0, 0)
}

// webpHeader is an extended WebP (VP8X) with a canvas of width×height.
func webpHeader(width, height uint32) []byte {
	b := []byte("RIFF")
	b = binary.LittleEndian.AppendUint32(b, 4+8+10)
	b = append(b, "WEBPVP8X"...)
	b = binary.LittleEndian.AppendUint32(b, 10)
	b = append(b, 0, 0, 0, 0)
	b = append(b, byte(width-1), byte((width-1)>>8), byte((width-1)>>16))
	return append(b, byte(height-1), byte((height-1)>>8), byte((height-1)>>16))
}

// Pictures are decoded one at a time (each may take hundreds of MB): callers
// at once all get their answer, none is lost or stuck waiting for the slot.
func TestDecodeAtOnce(t *testing.T) {
	const payload = "wxp://f2f0at-once"
	png, err := qrcode.Encode(payload, qrcode.Medium, 300)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 6)
	for range 6 {
		go func() {
			got, _, err := Decode(png)
			if err == nil && got != payload {
				err = fmt.Errorf("read %q", got)
			}
			errs <- err
		}()
	}
	for range 6 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
