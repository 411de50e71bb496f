// Package qr draws QR codes (pairing codes, 收款码 previews) as SVG and reads
// the QR code in an uploaded picture. Pure Go, no I/O.
package qr

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // uploaded 收款码 pictures may be GIF
	_ "image/jpeg"
	_ "image/png"
	"strings"

	"github.com/makiuchi-d/gozxing"
	zxingqr "github.com/makiuchi-d/gozxing/qrcode"
	"github.com/skip2/go-qrcode"
	_ "golang.org/x/image/webp" // and WebP, as phones save screenshots
)

// SVG draws content as a QR code: a square SVG with a 4-module quiet zone,
// sized by its container. It is markup made here from bits, safe to inline.
func SVG(content string) (string, error) {
	code, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return "", err
	}
	code.DisableBorder = true
	bits := code.Bitmap()
	n := len(bits)
	const quiet = 4
	var path strings.Builder
	for y, row := range bits {
		for x := 0; x < len(row); x++ {
			if !row[x] {
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			fmt.Fprintf(&path, "M%d %dh%dv1h-%dz", start+quiet, y+quiet, x-start, x-start)
		}
	}
	size := n + 2*quiet
	return fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" class="qr" role="img" shape-rendering="crispEdges">`+
		`<rect width="%d" height="%d" fill="#fff"/><path d="%s" fill="#000"/></svg>`, size, size, size, size, path.String()), nil
}

// PNG draws content as a QR code picture: moduleSize pixels per module, a
// 4-module quiet zone, two colours (a 1-bit PNG of a kilobyte or two). Scaled
// by whole steps with image-rendering: pixelated it stays sharp at any size;
// unlike inline SVG, a phone can save it and WeChat can read it on a long press.
func PNG(content string, moduleSize int) ([]byte, error) {
	code, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	if moduleSize < 1 {
		moduleSize = 1
	}
	return code.PNG(-moduleSize)
}

// ErrNoCode means the picture holds no QR code that could be read.
var ErrNoCode = errors.New("no QR code found in the picture")

// ErrNotImage means the bytes are not a PNG, JPEG, GIF or WebP picture.
var ErrNotImage = errors.New("not a PNG, JPEG, GIF or WebP picture")

// ErrTooLarge means the picture is larger than Decode takes on (MaxPixels,
// MaxSide); the error is a SizeError with the picture's size.
var ErrTooLarge = errors.New("picture too large to decode")

// SizeError is a picture of Width×Height pixels, over the budget.
type SizeError struct{ Width, Height int }

func (e SizeError) Error() string {
	return fmt.Sprintf("a picture of %d×%d pixels is larger than %d pixels or %d a side", e.Width, e.Height, MaxPixels, MaxSide)
}

// Is makes a SizeError an ErrTooLarge.
func (e SizeError) Is(target error) bool { return target == ErrTooLarge }

// The budget of Decode. A picture's header can announce far more pixels
// than its bytes hold (a 70-byte PNG claiming 100000×100000 would have
// image.Decode allocate 40 GB and the process die), so the size is read
// first. A 收款码 saved from Alipay/WeChat is about 1 MP, a phone screenshot
// up to 4.5 MP (1440×3120), a phone photo 12–12.6 MP (4032×3024, 4096×3072;
// larger ones are over the 5 MB upload limit anyway), a long screenshot
// 1440×11000: 16.8 MP (4096×4096) takes them all. Decoded, that is 25–70 MB
// for ordinary pictures (1.5–4 bytes a pixel), and at worst about 340 MB
// (a crafted progressive CMYK JPEG's coefficients, 20 bytes a pixel). The
// side limit keeps a sliver like 16000000×1 out of the shrinking below.
const (
	MaxPixels = 4096 * 4096
	MaxSide   = 16384
)

// decoding lets one picture be decoded at a time.
var decoding = make(chan struct{}, 1)

// Decode reads the QR code in a picture and returns its text and the
// picture's content type.
func Decode(data []byte) (payload, contentType string, err error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", "", ErrNotImage
	}
	if cfg.Width > MaxSide || cfg.Height > MaxSide || cfg.Width*cfg.Height > MaxPixels {
		return "", "", SizeError{cfg.Width, cfg.Height}
	}
	// One picture at a time: each may take a few hundred MB while decoded,
	// and uploads are rare (an owner setting up a 收款码).
	decoding <- struct{}{}
	defer func() { <-decoding }()
	img, format, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return "", "", ErrNotImage
	}
	contentType = "image/" + format
	// Phone photos can be 4000 px wide; a QR code reads as well at 1600.
	img = shrink(img, 1600)
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}
	for _, binarizer := range []func(gozxing.LuminanceSource) gozxing.Binarizer{
		gozxing.NewHybridBinarizer, gozxing.NewGlobalHistgramBinarizer,
	} {
		src := gozxing.NewLuminanceSourceFromImage(img)
		bmp, err := gozxing.NewBinaryBitmap(binarizer(src))
		if err != nil {
			continue
		}
		res, err := zxingqr.NewQRCodeReader().Decode(bmp, hints)
		if err == nil && res.GetText() != "" {
			return res.GetText(), contentType, nil
		}
	}
	return "", contentType, ErrNoCode
}

// shrink scales img down (nearest neighbour) so its longer side is at most max.
func shrink(img image.Image, max int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= max && h <= max {
		return img
	}
	scale := float64(max) / float64(w)
	if h > w {
		scale = float64(max) / float64(h)
	}
	nw, nh := int(float64(w)*scale), int(float64(h)*scale)
	out := image.NewGray(image.Rect(0, 0, nw, nh))
	for y := 0; y < nh; y++ {
		for x := 0; x < nw; x++ {
			out.Set(x, y, img.At(b.Min.X+int(float64(x)/scale), b.Min.Y+int(float64(y)/scale)))
		}
	}
	return out
}
