package web

import (
	"errors"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"paygate/app"
	"paygate/app/console"
	"paygate/app/gateway"
	"paygate/views"
)

func (s *Server) settings(c echo.Context) error {
	ctx := c.Request().Context()
	st, err := s.gw.Settings(ctx)
	if err != nil {
		return err
	}
	qrs, err := s.gw.PayQRs(ctx)
	if err != nil {
		return err
	}
	amounts, err := s.gw.PayQRAmounts(ctx)
	if err != nil {
		return err
	}
	v2, err := s.gw.EpayV2Keys(ctx)
	if err != nil {
		return err
	}
	contact, err := s.gw.ShopContact(ctx)
	if err != nil {
		return err
	}
	channels, err := s.gw.AlertChannelsOn(ctx)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.SettingsPage(s.meta(c, tr(c, "设置", "Settings"), "settings"),
		views.SettingsData{Settings: st, Tuning: s.gw.Tuning(), Rules: s.gw.TuningState(), Forwarding: s.gw.APIKeyForwarding(),
			QRs: qrs, QRAmounts: amounts, BaseURL: s.baseURL(c), EpayV2: v2, Contact: contact,
			Address: s.addressData(c), AlertChannels: channels}))
}

func (s *Server) saveEpay(c echo.Context) error {
	pid := c.FormValue("epayPid")
	ctx := c.Request().Context()
	if err := s.gw.UpdateSettings(ctx, gateway.ConfigRequest{EpayPID: &pid}, actor(c)); err != nil {
		return err
	}
	st, err := s.gw.Settings(ctx)
	if err != nil {
		return err
	}
	return s.renderWithToast(c, views.EpaySection(st, s.baseURL(c)),
		tr(c, "易支付商户ID已保存：商城里的商户ID要填 "+st.PID()+"。", "易支付 merchant id saved: the shop must use "+st.PID()+"."))
}

func (s *Server) saveMerchant(c echo.Context) error {
	name, desc := c.FormValue("name"), c.FormValue("description")
	ctx := c.Request().Context()
	if err := s.gw.UpdateSettings(ctx, gateway.ConfigRequest{Name: &name, Description: &desc}, actor(c)); err != nil {
		return err
	}
	st, err := s.gw.Settings(ctx)
	if err != nil {
		return err
	}
	return s.renderWithToast(c, views.MerchantSection(st), tr(c, "商户信息已保存。", "Shop details saved."))
}

func (s *Server) apiKey(c echo.Context) error {
	st, err := s.gw.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.APIKeySection(st.APIKey, c.QueryParam("reveal") == "1"))
}

func (s *Server) rotateAPIKey(c echo.Context) error {
	key, err := s.gw.RotateAPIKey(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return s.renderWithToast(c, views.APIKeySection(key, true),
		tr(c, "新的 API 密钥已生效：请复制到你的商城和转发应用里。", "The new API key is in force: copy it into your shop and your forwarder."))
}

func (s *Server) saveCallbackURL(c echo.Context) error {
	u := c.FormValue("callbackUrl")
	ctx := c.Request().Context()
	if err := s.gw.UpdateSettings(ctx, gateway.ConfigRequest{CallbackURL: &u}, actor(c)); err != nil {
		return err
	}
	st, err := s.gw.Settings(ctx)
	if err != nil {
		return err
	}
	return s.renderWithToast(c, views.CallbackSection(st.CallbackURL, nil), tr(c, "回调地址已保存。", "Callback URL saved."))
}

func (s *Server) testCallback(c echo.Context) error {
	u := c.FormValue("callbackUrl")
	res, err := s.gw.SendTestCallback(c.Request().Context(), u, actor(c))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.CallbackSection(res.URL, &res))
}

func (s *Server) saveTuning(c echo.Context) error {
	ctx := c.Request().Context()
	form := console.TuningForm{
		OrderLifetimeMinutes: c.FormValue("orderLifetime"),
		MinAmount:            c.FormValue("minAmount"),
		MaxAmount:            c.FormValue("maxAmount"),
		SlotMode:             c.FormValue("slotMode"),
		SlotMaxOffset:        c.FormValue("slotMaxOffset"),
		MatchWindowMinutes:   c.FormValue("matchWindow"),
		MatchGraceMinutes:    c.FormValue("matchGrace"),
		AutoConfirm:          c.FormValue("autoConfirm"),
	}
	t, err := s.gw.ParseTuningForm(form)
	if err == nil {
		err = s.gw.UpdateTuning(ctx, t, actor(c))
	}
	if app.ErrorCode(err) == app.EINVALID && app.ErrorField(err) != "" && isHTMX(c) {
		// The message goes on the field, with what was typed kept.
		return s.render(c, statusOf(app.EINVALID), views.TuningSection(views.TuningData{State: s.gw.TuningState(), Typed: &form, Err: err}))
	}
	if err != nil {
		return err
	}
	return s.renderWithToast(c, views.TuningSection(views.TuningData{State: s.gw.TuningState()}), tr(c, "规则已保存，新订单立即生效。", "Rules saved; new orders use them at once."))
}

func (s *Server) changePassword(c echo.Context) error {
	sess, _ := currentSession(c)
	err := s.gw.ChangePassword(c.Request().Context(), sess, gateway.ChangePasswordRequest{
		Current: c.FormValue("current"), New: c.FormValue("new"), Confirm: c.FormValue("confirm"),
	})
	if err != nil {
		return err
	}
	return s.renderWithToast(c, views.PasswordSection(), tr(c, "密码已修改；其他设备上的登录已退出。", "Password changed; other signed-in devices were logged out."))
}

func (s *Server) payQRImage(c echo.Context) error {
	q, err := s.gw.PayQR(c.Request().Context(), c.Param("method"))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "private, max-age=86400")
	return c.Blob(http.StatusOK, q.ContentType, q.Image)
}

func (s *Server) uploadPayQR(c echo.Context) error {
	ctx := c.Request().Context()
	data, err := readUpload(c)
	if err != nil {
		return err
	}
	q, err := s.gw.SetPayQR(ctx, c.Param("method"), data, actor(c))
	if err != nil {
		return err
	}
	return s.payQRSection(c, tr(c, q.Method.Label("zh")+"收款码已保存。", q.Method.Label("en")+" 收款码 saved."))
}

// readUpload reads the uploaded picture of a 收款码 form.
func readUpload(c echo.Context) ([]byte, error) {
	c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, gateway.MaxPayQRBytes+64<<10)
	fh, err := c.FormFile("image")
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, app.NewError(app.ETOOLARGE, "image", "图片太大（超过 5 MB）：请截图或压缩后再上传。", "The picture is larger than 5 MB: take a screenshot or compress it, then upload again.")
		}
		return nil, app.NewError(app.EINVALID, "image",
			"没有收到图片：请选择一张收款码图片（PNG、JPG、GIF 或 WebP）再上传。",
			"No picture received: choose a 收款码 picture (PNG, JPG, GIF or WebP) and upload it.")
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, gateway.MaxPayQRBytes+1))
}

// payQRSection re-renders the 收款码 section with a message.
func (s *Server) payQRSection(c echo.Context, msg string) error {
	ctx := c.Request().Context()
	qrs, err := s.gw.PayQRs(ctx)
	if err != nil {
		return err
	}
	amounts, err := s.gw.PayQRAmounts(ctx)
	if err != nil {
		return err
	}
	return s.renderWithToast(c, views.PayQRSection(views.PayQRData{QRs: qrs, Amounts: amounts, Tuning: s.gw.Tuning()}), msg)
}

func (s *Server) uploadPayQRAmount(c echo.Context) error {
	data, err := readUpload(c)
	if err != nil {
		return err
	}
	q, err := s.gw.SetPayQRAmount(c.Request().Context(), c.Param("method"), c.FormValue("amount"), data, actor(c))
	if err != nil {
		return err
	}
	return s.payQRSection(c, tr(c, q.Method.Label("zh")+" "+q.Amount.Fixed2()+" 元固定金额收款码已保存：应付金额正好是 "+q.Amount.Fixed2()+" 元的订单会显示它。",
		q.Method.Label("en")+" fixed-amount code for "+q.Amount.Fixed2()+" saved: orders whose payable amount is exactly "+q.Amount.Fixed2()+" show it."))
}

func (s *Server) deletePayQRAmount(c echo.Context) error {
	if err := s.gw.DeletePayQRAmount(c.Request().Context(), c.Param("method"), c.Param("amount"), actor(c)); err != nil {
		return err
	}
	return s.payQRSection(c, tr(c, "固定金额收款码已删除。", "Fixed-amount code deleted."))
}

func (s *Server) payQRAmountImage(c echo.Context) error {
	q, err := s.gw.PayQRAmount(c.Request().Context(), c.Param("method"), c.Param("amount"))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "private, max-age=86400")
	return c.Blob(http.StatusOK, q.ContentType, q.Image)
}
