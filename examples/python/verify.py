#!/usr/bin/env python3
"""paygate 回调接收示例（只用标准库）：验签、时间戳、nonce 防重放、幂等处理，回复 {"success":true}。
paygate callback receiver (standard library only): signature, timestamp, nonce
replay cache, idempotent handling, answers {"success":true}.

  PAYGATE_API_KEY=test_key_123456 python3 verify.py      # 监听 127.0.0.1:3001/payment-callback
  python3 verify.py --selftest [vectors.json]              # 校验共享签名测试向量

环境变量 / environment: PAYGATE_API_KEY（必填 required）, HOST (127.0.0.1), PORT (3001),
CALLBACK_PATH (/payment-callback).
"""
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from paygate_sign import (CallbackVerifier, canonical_string, parse_json_keep_numbers,
                          parse_shanghai_time, request_string, sign, sign_request,
                          signature_matches)

MAX_BODY = 64 * 1024

# ---- 业务部分 / the business part -------------------------------------------------

# 已处理的订单。真实系统请用数据库，并用条件更新保证只处理一次，例如
#   UPDATE orders SET status='paid' WHERE pay_order_id=%s AND status='pending'
# 受影响行数为 0 就说明处理过了。
# Processed orders. A real shop uses its database with a conditional update, so
# an order is processed once (0 rows affected = already done).
processed_orders = {}
processed_lock = threading.Lock()


def handle_paid(cb):
    """处理一笔已验证的付款，返回 True 表示本次是第一次处理。
    Handles one verified payment; True when this is the first time."""
    with processed_lock:
        if cb["orderId"] in processed_orders:
            return False
        # 在这里：核对金额（amount 是实付金额，displayAmount 是下单金额）、标记已付款、发货……
        # Here: check the amount (amount was paid, displayAmount was asked), mark paid, ship…
        processed_orders[cb["orderId"]] = {"amount": cb.get("amount"), "paidAt": cb.get("paidAt")}
        return True


def log(line):
    print(line, flush=True)


class CallbackHandler(BaseHTTPRequestHandler):
    verifier = None  # 由 serve() 设置 / set by serve()
    callback_path = "/payment-callback"

    def answer(self, status, obj):
        body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/health":
            return self.answer(200, {"status": "ok", "service": "merchant-example-python"})
        return self.answer(404, {"success": False, "error": "not found"})

    def do_POST(self):
        if self.path.split("?")[0] != self.callback_path:
            return self.answer(404, {"success": False, "error": "not found"})
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length <= 0 or length > MAX_BODY:
            log("✗ 拒绝回调 rejected: 请求体为空或过大 empty or too large body")
            return self.answer(400, {"success": False, "error": "请求体为空或过大"})
        try:
            # 数字保留原文，签名才能对上 / keep number text so the signature matches.
            cb = parse_json_keep_numbers(self.rfile.read(length))
        except ValueError:
            cb = None
        if not isinstance(cb, dict):
            log("✗ 拒绝回调 rejected: 请求体不是 JSON 对象 body is not a JSON object")
            return self.answer(400, {"success": False, "error": "请求体不是 JSON 对象"})

        reason = self.verifier.check(cb)
        if reason:
            log(f"✗ 拒绝回调 rejected orderId={cb.get('orderId')}: {reason}")
            return self.answer(401, {"success": False, "error": reason})
        log(f"✓ 验签通过 verified orderId={cb.get('orderId')} amount={cb.get('amount')} "
            f"paymentMethod={cb.get('paymentMethod')} status={cb.get('status')}")
        try:
            if cb.get("status") == "success":
                if handle_paid(cb):
                    log(f"→ 已处理 processed orderId={cb['orderId']} amount={cb.get('amount')}")
                else:
                    log(f"= 重复回调，之前已处理 duplicate orderId={cb['orderId']}")
        except Exception as err:  # 回复失败，paygate 会重试 / answer failure: paygate retries
            log(f"处理失败 processing failed: {err!r}")
            return self.answer(500, {"success": False, "error": "内部处理错误"})
        return self.answer(200, {"success": True, "message": "处理成功", "orderId": cb.get("orderId")})

    def log_message(self, fmt, *args):  # 访问日志写到 stderr / access log to stderr
        sys.stderr.write("%s - %s\n" % (self.address_string(), fmt % args))


def serve():
    api_key = os.environ.get("PAYGATE_API_KEY")
    if not api_key:
        sys.exit("请设置环境变量 PAYGATE_API_KEY（与 paygate 设置页的 API 密钥相同）/ set PAYGATE_API_KEY")
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "3001"))
    CallbackHandler.verifier = CallbackVerifier(api_key)
    CallbackHandler.callback_path = os.environ.get("CALLBACK_PATH", "/payment-callback")
    server = ThreadingHTTPServer((host, port), CallbackHandler)
    log(f"商户回调示例已启动 listening: http://{host}:{port}{CallbackHandler.callback_path}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


# ---- 自检 / self-test ---------------------------------------------------------------

def selftest(path):
    """用共享测试向量检查本目录的签名代码；任何不一致都以非零退出。
    Checks this code against the shared vectors; exits non-zero on any mismatch."""
    with open(path, encoding="utf-8") as f:
        vectors = json.load(f)
    passed = failed = 0

    def expect(name, ok, detail):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print(f"FAIL {name}: {detail}")

    for c in vectors["cases"]:
        name, key = c["name"], c["apiKey"]
        fields = parse_json_keep_numbers(c["json"])  # 与服务相同的解析 / same parse as the server
        if c["kind"] == "request":
            # 发给 paygate 的请求：签名串带请求方法和路径；它不是有效的回调。
            # A request to paygate: its string has the method and path; it is no valid callback.
            text = request_string(c["method"], c["path"], fields, key)
            expect(name, text == c["canonical"], f"request string\n  got  {text!r}\n  want {c['canonical']!r}")
            # 用 json.loads 得到的 int/float 值签名（客户端手里的值），须与原文签名相同。
            # Signing the int/float values json.loads gives (what a client holds) must match too.
            values = json.loads(c["json"])
            body = {k: v for k, v in values.items() if k not in ("timestamp", "nonce", "signature")}
            signed = sign_request(c["method"], c["path"], body, key, values["timestamp"], values["nonce"])
            expect(name, signed["signature"] == c["signature"], "request signer differs")
            expect(name, not signature_matches(fields, key), "a request signature passed as a callback")
            continue
        canonical = canonical_string(fields, key)
        expect(name, canonical == c["canonical"], f"canonical\n  got  {canonical}\n  want {c['canonical']}")
        expect(name, sign(fields, key) == c["signature"], "signature differs")
        expect(name, signature_matches(fields, key), "genuine message rejected")
        expect(name, not signature_matches(fields, key + "x"), "accepted with a wrong key")
        expect(name, not signature_matches({**fields, "amount": "999"}, key), "accepted a tampered amount")
        if c["kind"] == "callback" and str(fields.get("timestamp", "")).count("-") == 2:
            # 完整流程：窗口内通过；同一 nonce 再来被拒；6 分钟后被拒。
            # Whole check: fresh passes, the same nonce again fails, 6 minutes later fails.
            clock = [parse_shanghai_time(fields["timestamp"]) + 30]
            v = CallbackVerifier(key, now=lambda: clock[0])
            expect(name, v.check(fields) is None, "fresh callback rejected")
            expect(name, v.check(fields) is not None, "replayed nonce accepted")
            clock[0] += 360
            expect(name, v.check({**fields, "nonce": "other"}) is not None, "stale timestamp accepted")

    # 上海时间按 UTC+8 解析，与本机时区无关 / Shanghai time is UTC+8 whatever the local zone.
    expect("timestamp UTC+8", parse_shanghai_time("2026-11-26 16:10:05") == 1795680605, "wrong zone")
    try:
        parse_shanghai_time("2026-02-30 10:00:00")
        expect("timestamp invalid", False, "accepted 2026-02-30")
    except ValueError:
        expect("timestamp invalid", True, "")
    print(f"selftest: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--selftest":
        here = os.path.dirname(os.path.abspath(__file__))
        default = os.path.join(here, "..", "testdata", "signature-vectors.json")
        sys.exit(selftest(sys.argv[2] if len(sys.argv) > 2 else default))
    serve()
