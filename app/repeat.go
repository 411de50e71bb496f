package app

// The same-request rules: a merchant may send an order again with the same
// number (a retry after a timeout, a double click) and gets the order it made
// the first time, but only if it asks for the same thing; a repeat that asks
// for something else is a conflict, never a silently different order. The
// store applies them inside the writer transaction that finds the existing order.

// CheckOrderRepeat accepts in, sent with the merchantOrderId of existing, when
// it asks for the same order: the same product name, amount, notify and
// return URLs and attach. Otherwise it is a conflict. The method is not
// compared: a repeat naming another method switches a pending order to it,
// and one naming none leaves the method as it is (see the store).
func CheckOrderRepeat(existing Order, in OrderInput) error {
	if existing.ProductName == in.ProductName && existing.Amount == in.Amount &&
		existing.NotifyURL == in.NotifyURL && existing.ReturnURL == in.ReturnURL && existing.Attach == in.Attach {
		return nil
	}
	return NewError(ECONFLICT, "merchantOrderId",
		"商户订单号 "+in.MerchantOrderID+" 已用于另一笔参数不同的订单（"+existing.ID+"）：同一订单号重复提交时金额、商品名、回调地址和附加数据必须相同，新订单请换一个商户订单号。",
		"merchantOrderId "+in.MerchantOrderID+" was already used for a different order ("+existing.ID+"): a repeat must have the same amount, product name, URLs and attach; use a new merchantOrderId for a new order.")
}

// CheckEpayRepeat accepts an 易支付 request (in, e) for the out_trade_no of
// existing (made from the request was) when it asks for the same thing, as
// 彩虹易支付 requires: the same amount (so "10.00" repeats "10"), name,
// notify_url, return_url and param. Otherwise it is a conflict naming the
// first field that changed, with both values. type is not compared, as
// 彩虹易支付 does not: a payer who changed their mind in the shop sends the
// same order with the other type, and a pending order switches to it.
func CheckEpayRepeat(existing Order, was EpayOrder, in OrderInput, e EpayOrder) error {
	type diff struct{ field, was, now string }
	var d *diff
	switch {
	case existing.Amount != in.Amount:
		d = &diff{"money", was.Money, e.Money}
	case was.Name != e.Name:
		d = &diff{"name", was.Name, e.Name}
	case was.NotifyURL != e.NotifyURL:
		d = &diff{"notify_url", was.NotifyURL, e.NotifyURL}
	case was.ReturnURL != e.ReturnURL:
		d = &diff{"return_url", was.ReturnURL, e.ReturnURL}
	case was.Param != e.Param:
		d = &diff{"param", was.Param, e.Param}
	}
	if d == nil {
		return nil
	}
	return NewError(ECONFLICT, d.field,
		"该订单("+e.OutTradeNo+")支付参数有变化："+d.field+" 原来是 "+QuoteShort(d.was)+"，这次是 "+QuoteShort(d.now)+"。同一订单号重复提交时参数必须相同，请更换订单号重新发起支付。",
		"Order "+e.OutTradeNo+" was started before with different parameters: "+d.field+" was "+QuoteShort(d.was)+", now "+QuoteShort(d.now)+". A repeat must be identical; start the payment again with a new order number.")
}
