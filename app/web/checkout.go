package web

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"paygate/app"
	"paygate/app/gateway"
	"paygate/app/qr"
	"paygate/views"
)

// Payer pages: the checkout page of an order and payment links. They are
// HTML for people (errors too, never JSON), Chinese unless the visitor chose
// English with the same language cookie the console uses.

// linkCSRFCookie is a payment-link visitor's own random cookie (path /l, a
// day): the form's CSRF token is bound to it, and a hash of it tells the
// same payer ordering again — who gets their open order back — from another
// customer on the same address. visitorKey holds its value for the handler.
const (
	linkCSRFCookie = "paygate_lcsrf"
	visitorKey     = "paygate.visitor"
)

// payCSRFCookie is a checkout visitor's own random cookie (path /pay, a
// day): the token of the forms that choose or switch the method is bound
// to it.
const payCSRFCookie = "paygate_pcsrf"

// qrModule is the checkout code's module size in pixels: about 300–400 px,
// shown at up to 260 CSS px, so sharp on phones with 1.5–3× screens.
const qrModule = 9

func (s *Server) registerPayer(e *echo.Echo, limited echo.MiddlewareFunc) {
	// Middleware goes on each route, not on a group: group middleware makes
	// echo answer 404 instead of 405 for a wrong method.
	page := []echo.MiddlewareFunc{limited, s.securityHeaders, s.payerLanguage}
	payForms := s.guardForms(formGuard{cookie: payCSRFCookie, path: "/pay", sameSite: http.SameSiteLaxMode,
		maxAge: 24 * 3600, refusal: errPayCSRF})
	e.GET("/pay/:id", s.checkout, append(page, payForms)...)
	e.POST("/pay/:id/method", s.checkoutMethod, append(page, payForms)...)
	e.GET("/pay/:id/status", s.checkoutStatus, page...)
	e.GET("/pay/:id/return", s.checkoutReturn, page...)
	e.GET("/pay/:id/code.png", s.checkoutCode, page...)

	csrf := s.guardForms(formGuard{cookie: linkCSRFCookie, path: "/l", sameSite: http.SameSiteLaxMode,
		maxAge: 24 * 3600, refusal: errLinkCSRF})
	e.GET("/l/:code", s.linkPage, append(page, csrf)...)
	e.POST("/l/:code", s.linkOrder, append(page, csrf)...)
}

var errPayCSRF = app.NewError(app.EFORBIDDEN, "csrf",
	"页面已过期或不是从付款页提交的：请刷新付款页后再选择支付方式。",
	"This page is stale or the choice did not come from it: reload the checkout page and choose again.")

var errLinkCSRF = app.NewError(app.EFORBIDDEN, "csrf",
	"页面已过期或不是从本页面提交的：请刷新页面后重新下单。",
	"This page is stale or the order did not come from it: reload the page and order again.")

// payerLanguage keeps a language chosen with ?lang= in the language cookie,
// so the live status and the next pages stay in it.
func (s *Server) payerLanguage(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if l := c.QueryParam("lang"); l != "" {
			s.setCookie(c, langCookie, uiLang(c), "/", 365*24*3600, http.SameSiteLaxMode)
		}
		return next(c)
	}
}

func (s *Server) checkout(c echo.Context) error {
	return s.renderCheckout(c, c.Param("id"), 0, "")
}

// renderCheckout shows the checkout page of order id as the payer's browser
// allows it. status, when not 0, replaces the page's own (a refused
// choice); problem is why the payer's choice of method failed.
func (s *Server) renderCheckout(c echo.Context, id string, status int, problem string) error {
	b := app.DetectBrowser(c.Request().UserAgent())
	co, err := s.gw.Checkout(c.Request().Context(), id, b)
	if err != nil {
		return err
	}
	d := views.CheckoutData{Checkout: co, CSRF: csrfToken(c), Error: problem}
	if co.HasQR {
		png, err := qr.PNG(co.QR.Payload, qrModule)
		if err != nil {
			return err
		}
		d.QRImage = "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
		d.QRSize = pngWidth(png)
		if b.OpensAlipay() {
			d.AlipayApp = alipayAppLink(co.Order.Method, co.QR.Payload)
		}
	}
	if status == 0 {
		status = checkoutStatusCode(co.Order.Status)
	}
	return s.renderPayer(c, status, views.CheckoutPage(d))
}

// checkoutMethod is the payer choosing (or switching) the method: back to
// the checkout page, which shows the code; a choice that cannot be made
// shows the page again saying why.
func (s *Server) checkoutMethod(c echo.Context) error {
	id := c.Param("id")
	_, err := s.gw.ChooseMethod(c.Request().Context(), id, c.FormValue("method"))
	switch code := app.ErrorCode(err); code {
	case "":
		return c.Redirect(http.StatusSeeOther, "/pay/"+url.PathEscape(id))
	case app.EINVALID, app.ECONFLICT, app.ESLOTSFULL:
		return s.renderCheckout(c, id, statusOf(code), app.ErrorMessage(err, uiLang(c)))
	}
	return err
}

// checkoutCode is the order's 收款码 as a picture to save: a payer on the
// phone that must scan it saves it, then picks it in the app's scanner.
func (s *Server) checkoutCode(c echo.Context) error {
	o, q, err := s.gw.CheckoutCode(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	png, err := qr.PNG(q.Payload, qrModule)
	if err != nil {
		return err
	}
	name := string(o.Method) + "-" + o.PayAmount.Fixed2() + ".png"
	zh := o.Method.Label("zh") + "收款码-" + o.PayAmount.Fixed2() + ".png"
	h := c.Response().Header()
	h.Set("Content-Disposition", `attachment; filename="`+name+`"; filename*=UTF-8''`+url.PathEscape(zh))
	h.Set(echo.HeaderCacheControl, "no-store")
	return c.Blob(http.StatusOK, "image/png", png)
}

// checkoutStatusCode: a page for every state, with a status a monitor can read.
func checkoutStatusCode(st app.OrderStatus) int {
	switch st {
	case app.OrderPending, app.OrderSuccess:
		return http.StatusOK
	}
	return http.StatusGone // expired or closed: no longer payable
}

// checkoutStatus is the small live part checkout.js polls.
func (s *Server) checkoutStatus(c echo.Context) error {
	o, err := s.gw.Order(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return s.renderPayer(c, http.StatusOK, views.CheckoutStatus(o))
}

// checkoutReturn sends a paid order's payer to the shop's returnUrl; any
// other order goes back to its checkout page, so nobody lands on the shop's
// "thank you" page before paying.
func (s *Server) checkoutReturn(c echo.Context) error {
	o, err := s.gw.Order(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if o.Status == app.OrderSuccess && o.ReturnURL != "" {
		// An 易支付 V2 order's return is signed now (fresh timestamp).
		u, err := s.gw.PayerReturnURL(c.Request().Context(), o)
		if err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, u)
	}
	return c.Redirect(http.StatusSeeOther, "/pay/"+url.PathEscape(o.ID))
}

// alipayAppLink opens an Alipay 收款码 in the Alipay app (its scan page with
// this code), for a payer who reads the checkout page on the same phone.
func alipayAppLink(m app.Method, payload string) string {
	p := strings.ToLower(payload)
	if m != app.MethodAlipay || !(strings.HasPrefix(p, "https://qr.alipay.com/") || strings.HasPrefix(p, "http://qr.alipay.com/")) {
		return ""
	}
	return "alipays://platformapi/startapp?saId=10000007&qrcode=" + url.QueryEscape(payload)
}

// pngWidth reads the width from a PNG's header.
func pngWidth(b []byte) int {
	if len(b) < 24 {
		return 0
	}
	return int(b[16])<<24 | int(b[17])<<16 | int(b[18])<<8 | int(b[19])
}

func (s *Server) linkPage(c echo.Context) error {
	ctx := c.Request().Context()
	l, err := s.gw.LinkByCode(ctx, c.Param("code"))
	if err != nil {
		return err
	}
	d := views.LinkData{Link: l, Shop: s.shopName(c), CSRF: csrfToken(c), Nonce: newNonce()}
	if err := s.linkOffer(c, &d); err != nil {
		return err
	}
	status := http.StatusOK
	if !l.Enabled {
		status = http.StatusGone
	}
	return s.renderPayer(c, status, views.LinkPage(d))
}

// linkOrder creates the buyer's order and sends them to its checkout page.
// A mistake in the form shows the form again with what to fix.
func (s *Server) linkOrder(c echo.Context) error {
	ctx := c.Request().Context()
	req := gateway.LinkOrderRequest{
		Code: c.Param("code"), Amount: c.FormValue("amount"), Method: c.FormValue("method"),
		ClientIP: c.RealIP(), Nonce: c.FormValue("nonce"),
	}
	req.Visitor, _ = c.Get(visitorKey).(string)
	o, err := s.gw.CreateLinkOrder(ctx, req)
	if err != nil {
		if app.ErrorCode(err) != app.EINVALID {
			return err
		}
		l, lerr := s.gw.LinkByCode(ctx, req.Code)
		if lerr != nil {
			return lerr
		}
		d := views.LinkData{
			Link: l, Shop: s.shopName(c), CSRF: csrfToken(c), Nonce: req.Nonce, Amount: req.Amount, Method: req.Method,
			Error: app.ErrorMessage(err, uiLang(c)), ErrField: app.ErrorField(err),
		}
		if err := s.linkOffer(c, &d); err != nil {
			return err
		}
		return s.renderPayer(c, statusOf(app.EINVALID), views.LinkPage(d))
	}
	return c.Redirect(http.StatusSeeOther, "/pay/"+url.PathEscape(o.ID))
}

// linkOffer fills in the methods a payment link's page offers — those the
// shop has a 收款码 for, the one that pays inside the buyer's app first and
// picked already (a link shared in WeChat opens on WeChat Pay) — and the
// shop's contact.
func (s *Server) linkOffer(c echo.Context, d *views.LinkData) error {
	ctx := c.Request().Context()
	b := app.DetectBrowser(c.Request().UserAgent())
	methods, err := s.gw.LinkMethods(ctx, d.Link)
	if err != nil {
		return err
	}
	d.Methods = b.Prefer(methods)
	if d.Method == "" && b.Method() != "" && len(d.Methods) > 0 && d.Methods[0] == b.Method() {
		d.Method = string(b.Method())
	}
	d.Contact, err = s.gw.ShopContact(ctx)
	return err
}

func newNonce() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (s *Server) shopName(c echo.Context) string {
	st, err := s.gw.Settings(c.Request().Context())
	if err != nil {
		return ""
	}
	return st.Name
}

// renderPayer renders a payer page.
func (s *Server) renderPayer(c echo.Context, status int, comp templ.Component) error {
	return s.render(c, status, comp)
}

// isPayerHTML: the request is for a payer page, whose errors are pages too.
func isPayerHTML(c echo.Context) bool {
	p := c.Request().URL.Path
	return (p == "/pay" || p == "/l" || strings.HasPrefix(p, "/pay/") || strings.HasPrefix(p, "/l/")) && !wantsJSON(c)
}

// renderPayerError shows an error to a payer as a page of its own.
func (s *Server) renderPayerError(c echo.Context, status int, err error, noRoute bool) {
	path := c.Request().URL.Path
	e := views.PayerError{Status: status, Shop: s.shopName(c), Msg: app.ErrorMessage(err, uiLang(c))}
	e.Contact, _ = s.gw.ShopContact(c.Request().Context()) // an error page shows what it can
	var limit *app.LinkLimitError
	switch {
	case noRoute:
		e.Msg = tr(c, "没有这个页面："+path+"。请检查链接是否完整。", "There is no page "+path+". Check that the link is complete.")
	case status == http.StatusNotFound && strings.HasPrefix(path, "/pay/"):
		e.Title = tr(c, "找不到这笔订单", "No such order")
		e.Msg = tr(c, "请检查链接是否完整：订单号以 ORD 开头，后面是一长串数字。", "Check that the link is complete: order numbers start with ORD and a long row of digits.")
	case status == http.StatusNotFound && strings.HasPrefix(path, "/l/"):
		e.Title = tr(c, "找不到这个收款链接", "No such payment link")
	case errors.As(err, &limit):
		// Too many open orders: lead the payer to their own open order, if
		// known; ordering again from the form would be refused again.
		e.Title = tr(c, "你还有未付款的订单", "You have unpaid orders")
		if limit.Link {
			e.Title = tr(c, "现在下单的人太多", "Too many orders right now")
		}
		if limit.OpenOrder != "" {
			e.Open = "/pay/" + url.PathEscape(limit.OpenOrder)
		}
	case strings.HasPrefix(path, "/l/") && c.Request().Method == http.MethodPost:
		e.Back = path // try the form again (after the wait a 429 names)
	}
	_ = s.render(c, status, views.PayerErrorPage(e))
}
