package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"paygate/app"
	"paygate/app/gateway"
	"paygate/app/qr"
	"paygate/views"
)

// registerLinks adds the payment links pages of the console.
func (s *Server) registerLinks(g *echo.Group) {
	g.GET("/links", s.links)
	g.POST("/links", s.createLink)
	g.POST("/links/:id/enable", s.enableLink)
	g.POST("/links/:id/disable", s.disableLink)
	g.POST("/links/:id/delete", s.deleteLink)
}

func (s *Server) links(c echo.Context) error { return s.linksPage(c, "") }

func (s *Server) linksPage(c echo.Context, toast string) error {
	ctx := c.Request().Context()
	list, err := s.gw.Links(ctx)
	if err != nil {
		return err
	}
	missing, err := s.gw.MissingPayQRs(ctx)
	if err != nil {
		return err
	}
	reach := s.reach(c)
	d := views.LinksData{Base: reach.Base, Local: reach.Local(), Reach: reach, Tuning: s.gw.Tuning(), Missing: missing}
	for _, l := range list {
		v, err := s.linkView(c, l)
		if err != nil {
			return err
		}
		d.Links = append(d.Links, v)
	}
	page := views.LinksPage(s.meta(c, tr(c, "收款链接", "Payment links"), "links"), d)
	if toast != "" && isHTMX(c) {
		return s.renderWithToast(c, page, toast)
	}
	return s.render(c, http.StatusOK, page)
}

func (s *Server) linkView(c echo.Context, l app.LinkSummary) (views.LinkView, error) {
	reach := s.reach(c)
	v := views.LinkView{LinkSummary: l, URL: reach.Base + "/l/" + l.Code}
	if reach.Local() {
		return v, nil // no QR code of an address only this computer opens (the page says why)
	}
	var err error
	v.QR, err = qr.SVG(v.URL)
	return v, err
}

func (s *Server) createLink(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	l, err := s.gw.CreateLink(c.Request().Context(), gateway.LinkForm{
		ProductName: form.Get("productName"),
		PriceKind:   form.Get("priceKind"),
		Amount:      form.Get("amount"),
		MinAmount:   form.Get("minAmount"),
		MaxAmount:   form.Get("maxAmount"),
		Methods:     form["methods"],
	}, actor(c))
	if err != nil {
		return err
	}
	return s.linksPage(c, tr(c, "收款链接已创建：复制链接或二维码发给顾客。", "Link created: send its address or QR code to buyers.")+" /l/"+l.Code)
}

func (s *Server) enableLink(c echo.Context) error  { return s.switchLink(c, true) }
func (s *Server) disableLink(c echo.Context) error { return s.switchLink(c, false) }

func (s *Server) switchLink(c echo.Context, on bool) error {
	id, err := pathID(c, "linkId")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.gw.SetLinkEnabled(ctx, id, on, actor(c)); err != nil {
		return err
	}
	list, err := s.gw.Links(ctx)
	if err != nil {
		return err
	}
	for _, l := range list {
		if l.ID == id {
			v, err := s.linkView(c, l)
			if err != nil {
				return err
			}
			msg := tr(c, "链接已停用：顾客打开会看到“已停用”，不能下单。", "Link turned off: buyers who open it are told so and cannot order.")
			if on {
				msg = tr(c, "链接已启用，可以收款了。", "Link turned on: it takes orders again.")
			}
			return s.renderWithToast(c, views.LinkCard(v), msg)
		}
	}
	return app.NewError(app.ENOTFOUND, "linkId", "这个收款链接不存在了：请刷新页面。", "This payment link is gone: reload the page.")
}

func (s *Server) deleteLink(c echo.Context) error {
	id, err := pathID(c, "linkId")
	if err != nil {
		return err
	}
	if err := s.gw.DeleteLink(c.Request().Context(), id, actor(c)); err != nil {
		return err
	}
	return s.renderWithToast(c, nopDeleted(id), tr(c, "收款链接已删除；它的订单保留在订单列表里。", "Payment link deleted; its orders stay in the order list."))
}
