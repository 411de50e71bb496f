package app

// AddressKind is why a network address counts as internal, in English (the
// logs) and Chinese: a per-order callback URL may not reach such an address.
type AddressKind struct{ En, Zh string }

// The kinds of internal address.
var (
	AddressLoopback    = AddressKind{"a loopback address (this machine)", "回环地址（本机）"}
	AddressPrivate     = AddressKind{"a private network address", "内网地址"}
	AddressLinkLocal   = AddressKind{"a link-local address (cloud metadata lives at 169.254.169.254)", "链路本地地址（云服务器的元数据接口就在 169.254.169.254）"}
	AddressUnspecified = AddressKind{"an unspecified address (it reaches this machine)", "未指定地址（会连到本机）"}
	AddressMulticast   = AddressKind{"a multicast or broadcast address", "组播或广播地址"}
	AddressShared      = AddressKind{"a carrier-grade NAT address (100.64.0.0/10)", "运营商级 NAT 地址（100.64.0.0/10）"}
	AddressReserved    = AddressKind{"a reserved address", "保留地址"}
	AddressOwn         = AddressKind{"one of this machine's own addresses", "本机自己的地址"}
	AddressSelf        = AddressKind{"paygate itself", "paygate 自己"}

	// AddressKinds lists every kind, for translating a logged reason.
	AddressKinds = []AddressKind{AddressLoopback, AddressPrivate, AddressLinkLocal, AddressUnspecified,
		AddressMulticast, AddressShared, AddressReserved, AddressOwn, AddressSelf}
)
