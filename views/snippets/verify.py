# paygate 回调验签（Python 3，只用标准库）。完整版（时间戳、nonce 防重放、幂等）：examples/python/verify.py
# Verify a paygate callback (Python 3, standard library). Full version: examples/python/verify.py
import hashlib
import hmac
import json


def paygate_verify(raw_body, api_key):
    body = json.loads(raw_body, parse_int=str, parse_float=str)  # 保留数字原文：1 不会变成 1.0
    fields = {k: v for k, v in body.items() if k != "signature" and v is not None and v != ""}
    fields["api_key"] = api_key
    text = "&".join(k + "=" + fields[k] for k in sorted(fields))
    want = hmac.new(api_key.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()
    return hmac.compare_digest(want, str(body.get("signature", "")))
