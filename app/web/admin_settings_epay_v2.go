package web

import (
	"github.com/labstack/echo/v4"

	"paygate/app/console"
	"paygate/views"
)

// The settings page's 易支付 V2 (RSA) section: the shop's merchant public
// key (entered, generated or removed) and paygate's platform key pair.

func (s *Server) registerEpayV2Settings(p *echo.Group) {
	p.POST("/settings/epay-v2/merchant-key", s.saveEpayMerchantKey)
	p.POST("/settings/epay-v2/merchant-key/generate", s.generateEpayMerchantKey)
	p.POST("/settings/epay-v2/merchant-key/remove", s.removeEpayMerchantKey)
	p.POST("/settings/epay-v2/platform-key/rotate", s.rotateEpayPlatformKey)
}

// renderEpayV2 answers with the section as it now is, plus a toast.
func (s *Server) renderEpayV2(c echo.Context, edit func(*console.EpayV2Keys), zh, en string) error {
	k, err := s.gw.EpayV2Keys(c.Request().Context())
	if err != nil {
		return err
	}
	if edit != nil {
		edit(&k)
	}
	return s.renderWithToast(c, views.EpayV2Section(k, s.baseURL(c)), tr(c, zh, en))
}

func (s *Server) saveEpayMerchantKey(c echo.Context) error {
	if err := s.gw.SetEpayMerchantPublicKey(c.Request().Context(), c.FormValue("epayPublicKey"), actor(c)); err != nil {
		return err
	}
	return s.renderEpayV2(c, nil, "商户公钥已保存：商城用对应的私钥签名（sign_type=RSA）的请求现在可以通过。",
		"Merchant public key saved: requests the shop signs with its private key (sign_type=RSA) now pass.")
}

func (s *Server) generateEpayMerchantKey(c echo.Context) error {
	private, err := s.gw.GenerateEpayMerchantKeyPair(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return s.renderEpayV2(c, func(k *console.EpayV2Keys) { k.MerchantPrivateKey = private },
		"新的商户密钥对已生成：现在把商户私钥复制到商城里，它只显示这一次。",
		"A new merchant key pair is made: copy the merchant private key into the shop now; it is shown only this once.")
}

func (s *Server) removeEpayMerchantKey(c echo.Context) error {
	if err := s.gw.RemoveEpayMerchantPublicKey(c.Request().Context(), actor(c)); err != nil {
		return err
	}
	return s.renderEpayV2(c, nil, "商户公钥已删除：用 RSA 签名的请求会被拒绝。", "Merchant public key removed: RSA-signed requests are refused.")
}

func (s *Server) rotateEpayPlatformKey(c echo.Context) error {
	if err := s.gw.RotateEpayPlatformKey(c.Request().Context(), actor(c)); err != nil {
		return err
	}
	return s.renderEpayV2(c, nil, "新的平台密钥已生效：请马上把新的平台公钥复制到商城里。",
		"The new platform key is in force: copy the new platform public key into the shop now.")
}
