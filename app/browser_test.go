package app

import (
	"slices"
	"testing"
)

// Real User-Agents, as the apps and browsers send them.
func TestDetectBrowser(t *testing.T) {
	for _, tt := range []struct {
		name, ua string
		want     Browser
	}{
		{"WeChat on Android", "Mozilla/5.0 (Linux; Android 13; PJD110 Build/TP1A.220905.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2247 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64", BrowserWechat},
		{"WeChat on iPhone", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN", BrowserWechat},
		{"old WeChat mentioning MQQBrowser", "Mozilla/5.0 (Linux; Android 7.1.1; MI 6 Build/NMF26X; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/57.0.2987.132 MQQBrowser/6.2 TBS/043807 Mobile Safari/537.36 MicroMessenger/6.6.1.1220(0x26060135) NetType/WIFI Language/zh_CN", BrowserWechat},
		{"WeCom", "Mozilla/5.0 (Linux; Android 12; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/98.0.4758.102 MQQBrowser/6.2 TBS/046317 Mobile Safari/537.36 wxwork/4.1.10 MicroMessenger/7.0.1 NetType/WIFI Language/zh ColorScheme/Light", BrowserInApp},
		{"Alipay on Android", "Mozilla/5.0 (Linux; U; Android 13; zh-CN; 22081212C Build/TKQ1.220829.002) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 UWS/3.22.2.59 Mobile Safari/537.36 UCBS/3.22.2.59_230817100047 ChannelId(73) NebulaSDK/1.8.100112 Nebula AlipayDefined(nt:WIFI,ws:393|0|2.75) AliApp(AP/10.5.36.8000) AlipayClient/10.5.36.8000 Language/zh-Hans useStatusBar/true isConcaveScreen/true Region/CN", BrowserAlipay},
		{"Alipay on iPhone", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Ariver/1.1.0 AliApp(AP/10.5.30.6000) Nebula WK RVKType(0) AlipayDefined(nt:WIFI,ws:390|780|3.0) AlipayClient/10.5.30.6000 Language/zh-Hans Region/CN NebulaX/1.0.0", BrowserAlipay},
		{"QQ on Android", "Mozilla/5.0 (Linux; Android 12; V2118A Build/SP1A.210812.003; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/89.0.4389.72 MQQBrowser/6.2 TBS/046317 Mobile Safari/537.36 V1_AND_SQ_8.9.28_3700_YYB_D QQ/8.9.28.10155 NetType/WIFI WebP/0.3.0 AppId/537150269", BrowserQQ},
		{"QQ on iPhone", "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 QQ/8.9.80.625 V1_IPH_SQ_8.9.80_1_APP_A Pixel/1170 MiniAppEnable SimpleUISwitch/0 StudyMode/0 CurrentMode/0 QQTheme/1000 Core/WKWebView Device/Apple(iPhone 13) NetType/WIFI QBWebViewType/1 WKType/1", BrowserQQ},
		{"QQ浏览器 is a real browser", "Mozilla/5.0 (Linux; U; Android 12; zh-cn; PDEM30 Build/SKQ1.210216.001) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/109.0.5414.86 MQQBrowser/14.1 Mobile Safari/537.36 COVC/046517", BrowserPlain},
		{"DingTalk", "Mozilla/5.0 (Linux; U; Android 11; zh-CN; M2011K2C Build/RKQ1.200928.002) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 UWS/3.22.1.233 Mobile Safari/537.36 AliApp(DingTalk/7.0.20) com.alibaba.android.rimet/29349488 Channel/227200 language/zh-CN abi/64 UT4Aplus/0.2.25 colorScheme/light", BrowserDingTalk},
		{"Weibo", "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Weibo (iPhone14,2__weibo__13.6.2__iphone__os16.5)", BrowserInApp},
		{"Douyin", "Mozilla/5.0 (Linux; Android 12; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/95.0.4638.74 Mobile Safari/537.36 aweme_260500 JsSdk/1.0 NetType/WIFI Channel/huawei_1128_64 app_version/26.5.0 ByteLocale/zh-CN Region/CN AppSkin/white AppTheme/light BytedanceWebview/d8a21c6", BrowserInApp},
		{"Chrome on Android", "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36", BrowserPlain},
		{"Safari on iPhone", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1", BrowserPlain},
		{"nothing", "", BrowserPlain},
	} {
		if got := DetectBrowser(tt.ua); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestBrowserChoices(t *testing.T) {
	both := []Method{MethodAlipay, MethodWechat}
	for _, tt := range []struct {
		b           Browser
		method      Method
		opensAlipay bool
		prefer      []Method
	}{
		{BrowserPlain, "", true, both},
		{BrowserWechat, MethodWechat, false, []Method{MethodWechat, MethodAlipay}},
		{BrowserAlipay, MethodAlipay, true, both},
		{BrowserQQ, "", false, both},
		{BrowserDingTalk, "", false, both},
		{BrowserInApp, "", false, both},
	} {
		if got := tt.b.Method(); got != tt.method {
			t.Errorf("%q.Method() = %q, want %q", tt.b, got, tt.method)
		}
		if got := tt.b.OpensAlipay(); got != tt.opensAlipay {
			t.Errorf("%q.OpensAlipay() = %v", tt.b, got)
		}
		if got := tt.b.Prefer(both); !slices.Equal(got, tt.prefer) {
			t.Errorf("%q.Prefer = %v, want %v", tt.b, got, tt.prefer)
		}
		if tt.b.InApp() == (tt.b == BrowserPlain) {
			t.Errorf("%q.InApp() = %v", tt.b, tt.b.InApp())
		}
	}
	if got := BrowserWechat.Prefer([]Method{MethodAlipay}); !slices.Equal(got, []Method{MethodAlipay}) {
		t.Errorf("WeChat with only Alipay offered: %v", got)
	}
}
