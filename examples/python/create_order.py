#!/usr/bin/env python3
"""在 paygate 创建订单 / create an order on paygate (standard library only).

  PAYGATE_URL=http://127.0.0.1:3000 PAYGATE_API_KEY=test_key_123456 \\
    python3 create_order.py --amount 1 --method alipay --auth bearer

--auth bearer：请求头 Authorization: Bearer <API密钥>（最简单）。
--auth sign：  不发送密钥，对 请求方法、路径 和请求字段签名（timestamp、nonce、signature）。
--auth bearer sends the key in a header (simplest); --auth sign sends only an
HMAC signature over the method, the path and the fields.
成功时把 paygate 的 JSON 应答打印到标准输出 / prints paygate's JSON answer on success.
"""
import argparse
import json
import os
import re
import sys
import urllib.error
import urllib.request
from decimal import Decimal

from paygate_sign import sign_request


def create_order(base_url, api_key, auth, order):
    headers = {"Content-Type": "application/json"}
    if auth == "bearer":
        headers["Authorization"] = f"Bearer {api_key}"
        body = order
    elif auth == "sign":
        body = sign_request("POST", "/api/orders", order, api_key)
    else:
        raise ValueError(f"--auth 只能是 bearer 或 sign / must be bearer or sign: {auth}")
    req = urllib.request.Request(base_url.rstrip("/") + "/api/orders",
                                 data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                                 headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            answer = json.load(resp)
    except urllib.error.HTTPError as err:
        # paygate 的错误消息会说明怎么改 / paygate's message says what to fix.
        detail = err.read().decode("utf-8", "replace")
        try:
            detail = json.loads(detail).get("error", detail)
        except ValueError:
            pass
        raise RuntimeError(f"paygate {err.code}: {detail}") from None
    if answer.get("success") is not True:
        raise RuntimeError(f"paygate: {answer}")
    return answer


def main():
    p = argparse.ArgumentParser(description="create an order on paygate")
    p.add_argument("--amount", default="0.01")
    p.add_argument("--method", default="alipay", choices=["alipay", "wechat"])
    p.add_argument("--product", default="测试商品")
    p.add_argument("--notify-url")
    p.add_argument("--merchant-order-id")
    p.add_argument("--auth", default="bearer", choices=["bearer", "sign"])
    args = p.parse_args()
    api_key = os.environ.get("PAYGATE_API_KEY")
    if not api_key:
        sys.exit("请设置环境变量 PAYGATE_API_KEY / set PAYGATE_API_KEY")
    # 金额最多两位小数。整数发 int、小数发 float：json.dumps 写出 1、100、0.1，
    # 签名用同样的文本。不要发 100.0 这样的 float（会写成 "100.0"）。
    # At most 2 decimals. Whole amounts go as int, others as float, so json.dumps
    # writes 1, 100, 0.1 and the signature uses that same text.
    if not re.fullmatch(r"\d+(\.\d{1,2})?", args.amount):
        sys.exit(f"金额格式不对 bad amount: {args.amount}")
    d = Decimal(args.amount)
    amount = int(d) if d == d.to_integral_value() else float(d)
    order = {"productName": args.product, "amount": amount, "paymentMethod": args.method}
    if args.notify_url:
        order["notifyUrl"] = args.notify_url
    if args.merchant_order_id:
        order["merchantOrderId"] = args.merchant_order_id
    try:
        answer = create_order(os.environ.get("PAYGATE_URL", "http://127.0.0.1:3000"), api_key, args.auth, order)
    except (RuntimeError, OSError) as err:
        sys.exit(f"创建订单失败 failed: {err}")
    print(f"订单已创建 order created: {answer['orderId']}，请支付 pay exactly {answer['amount']} 元", file=sys.stderr)
    print(json.dumps(answer, ensure_ascii=False))


if __name__ == "__main__":
    main()
