package gateway

import (
	"context"
	"errors"
	"fmt"
	"time"

	"paygate/app"
	"paygate/app/qr"
)

// AuditLog lists what people did, newest first.
func (g *Gateway) AuditLog(ctx context.Context, page app.Page) ([]app.AuditEntry, int, error) {
	return g.db.AuditLog(ctx, app.AuditFilter{Offset: page.Offset(), Limit: page.Limit})
}

// Callbacks lists merchant callbacks; status is "", "failing", pending, sent or failed.
func (g *Gateway) Callbacks(ctx context.Context, status string, page app.Page) ([]app.CallbackSummary, int, error) {
	switch status {
	case "", "failing", string(app.CallbackPending), string(app.CallbackSent), string(app.CallbackFailed):
	default:
		return nil, 0, app.NewError(app.EINVALID, "status",
			"回调状态只能是 failing、pending、sent 或 failed。", "The callback status must be failing, pending, sent or failed.")
	}
	return g.db.ListCallbacks(ctx, app.CallbackFilter{Status: status, Offset: page.Offset(), Limit: page.Limit})
}

// MaxPayQRBytes bounds an uploaded 收款码 picture.
const MaxPayQRBytes = 5 << 20

// SetPayQR stores the 收款码 picture of a method after reading the QR code in it.
func (g *Gateway) SetPayQR(ctx context.Context, method string, image []byte, by string) (app.PayQR, error) {
	m, err := ParseMethod(method)
	if err != nil {
		return app.PayQR{}, err
	}
	q, err := readPayQR(m, image)
	if err != nil {
		return app.PayQR{}, err
	}
	return q, g.db.PutPayQR(ctx, q, by)
}

// readPayQR checks an uploaded 收款码 picture and reads the QR code in it.
func readPayQR(m app.Method, image []byte) (app.PayQR, error) {
	if len(image) == 0 {
		return app.PayQR{}, app.NewError(app.EINVALID, "image",
			"没有收到图片：请选择一张收款码图片（PNG、JPG、GIF 或 WebP）再上传。",
			"No picture received: choose a 收款码 picture (PNG, JPG, GIF or WebP) and upload it.")
	}
	if len(image) > MaxPayQRBytes {
		return app.PayQR{}, app.NewError(app.ETOOLARGE, "image",
			"图片太大（超过 5 MB）：请截图或压缩后再上传。", "The picture is larger than 5 MB: take a screenshot or compress it, then upload again.")
	}
	payload, contentType, err := qr.Decode(image)
	var big qr.SizeError
	switch {
	case errors.As(err, &big):
		return app.PayQR{}, app.NewError(app.EINVALID, "image",
			fmt.Sprintf("图片太大（%d×%d 像素；最多 %d 万像素、每边 %d 像素）：请截取收款码部分后再上传。",
				big.Width, big.Height, qr.MaxPixels/10000, qr.MaxSide),
			fmt.Sprintf("The picture is too large (%d×%d pixels; at most %.1f megapixels and %d a side): crop it to the 收款码 and upload that.",
				big.Width, big.Height, float64(qr.MaxPixels)/1e6, qr.MaxSide))
	case errors.Is(err, qr.ErrNotImage):
		return app.PayQR{}, app.NewError(app.EINVALID, "image",
			"这个文件不是图片：请上传 PNG、JPG、GIF 或 WebP 格式的收款码图片。",
			"This file is not a picture: upload the 收款码 as PNG, JPG, GIF or WebP.")
	case errors.Is(err, qr.ErrNoCode):
		return app.PayQR{}, app.NewError(app.EINVALID, "image",
			"在这张图片里没有找到二维码：请上传清晰、完整的收款码截图（在支付宝/微信里打开“收钱”→“保存图片”）。",
			"No QR code was found in this picture: upload a clear, complete screenshot of the 收款码 (in Alipay/WeChat: Receive money → Save image).")
	case err != nil:
		return app.PayQR{}, err
	}
	return app.PayQR{Method: m, Image: image, ContentType: contentType, Payload: payload, UpdatedAt: time.Now()}, nil
}

// PayQRs returns the uploaded 收款码 by method, without pictures.
func (g *Gateway) PayQRs(ctx context.Context) (map[app.Method]app.PayQR, error) {
	return g.db.PayQRs(ctx)
}

// PayQR returns the 收款码 picture of a method.
func (g *Gateway) PayQR(ctx context.Context, method string) (app.PayQR, error) {
	m, err := ParseMethod(method)
	if err != nil {
		return app.PayQR{}, err
	}
	q, found, err := g.db.PayQR(ctx, m)
	if err == nil && !found {
		err = app.NewError(app.ENOTFOUND, "method",
			"还没有上传"+m.Label("zh")+"收款码：请在设置页上传。", "No "+m.Label("en")+" 收款码 uploaded yet: upload one on the settings page.")
	}
	return q, err
}

// ExportOrders streams the orders created in [from, to) to fn, oldest first.
func (g *Gateway) ExportOrders(ctx context.Context, from, to time.Time, fn func(app.OrderSummary) error) error {
	return g.db.EachOrder(ctx, app.OrderFilter{From: from, To: to}, fn)
}

// ExportPayments streams the payments received in [from, to) to fn, oldest first.
func (g *Gateway) ExportPayments(ctx context.Context, from, to time.Time, fn func(app.Payment) error) error {
	return g.db.EachPayment(ctx, from, to, fn)
}
