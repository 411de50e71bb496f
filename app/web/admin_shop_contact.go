package web

import (
	"github.com/labstack/echo/v4"

	"paygate/app"
	"paygate/views"
)

// saveShopContact stores how payers reach the shop (the settings page's
// 顾客怎么联系你 section); a mistake is shown on the section.
func (s *Server) saveShopContact(c echo.Context) error {
	saved, err := s.gw.UpdateShopContact(c.Request().Context(), app.ShopContact{
		Phone: c.FormValue("contactPhone"), WeChat: c.FormValue("contactWechat"),
		Note: c.FormValue("contactNote"), HomeURL: c.FormValue("homeUrl"),
	}, actor(c))
	if err != nil {
		return err
	}
	return s.renderWithToast(c, views.ShopContactSection(saved),
		tr(c, "联系方式已保存：过期、关闭和出错的付款页会显示它。", "Contact saved: expired, closed and failed checkout pages show it."))
}
