"""paygate 签名工具（Python 3.8+，只用标准库）。
paygate signing helpers (Python 3.8+, standard library only).

签名规则 / the rule: 除 signature 外的所有字段，去掉 null（和空字符串），加入 api_key，
按键名字节序排序，拼成 k=v 用 & 连接，以 API 密钥做 HMAC-SHA256，小写十六进制。
Every field but signature, null (and empty) values dropped, api_key added, keys
sorted by byte order, k=v joined with &, HMAC-SHA256 keyed by the API key,
lowercase hex.

回调只签这个串；发给 paygate 的签名请求在前面加上 请求方法 + "\\n" + 路径（不含查询串）+ "\\n"，
所以回调永远不能当作请求用。
Callbacks sign that string alone; a signed request to paygate puts its method
and path (without the query) in front, each followed by "\\n", so a callback
can never pass as a request.
"""
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from datetime import datetime, timedelta, timezone

# 回调 timestamp 与本机时间允许相差的秒数 / allowed clock difference for timestamp.
WINDOW_SECONDS = 300

# 上海时间 = UTC+8，没有夏令时 / Shanghai time is UTC+8 with no daylight saving.
SHANGHAI = timezone(timedelta(hours=8))

_HEX64 = re.compile(r"[0-9a-fA-F]{64}")


def _reject_constant(name):
    raise ValueError(f"JSON 里不允许 {name} / {name} is not JSON")


def parse_json_keep_numbers(raw):
    """解析 JSON，数字保留原文（字符串），例如 1 → "1"、0.1 → "0.1"、1234.5 → "1234.5"。

    json.loads 默认把 100.0 之类变成 float，再 str() 会得到 "100.0"，签名就对不上；
    保留原文最稳妥。
    Parse JSON keeping every number's text: str(float) could print "100.0" for
    what was sent as 100, and the signature would not match.
    """
    if isinstance(raw, (bytes, bytearray)):
        raw = raw.decode("utf-8")
    return json.loads(raw, parse_int=str, parse_float=str, parse_constant=_reject_constant)


def value_text(value):
    """签名串里的值：字符串原样；数字（已是原文字符串）原样；布尔写作 true/false。
    A value as it appears in the signature string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        # 自己构造请求时才会遇到：与 json.dumps 写出的文本一致。
        # Only for requests we build ourselves: the same text json.dumps writes.
        return json.dumps(value)
    # paygate 从不发送对象或数组 / paygate never sends objects or arrays.
    raise ValueError("字段值必须是字符串、数字或布尔 / values must be strings, numbers or booleans")


def canonical_string(fields, api_key):
    """返回被签名的字符串 / the string that is signed."""
    params = {}
    for key, value in fields.items():
        if key in ("signature", "api_key") or value is None:
            continue
        text = value_text(value)
        if text != "":
            params[key] = text
    params["api_key"] = api_key
    # Python 按码点排序，等于 UTF-8 字节序 / code point order equals UTF-8 byte order.
    return "&".join(f"{k}={params[k]}" for k in sorted(params))


def sign(fields, api_key):
    """计算签名 / computes the signature."""
    return hmac.new(api_key.encode("utf-8"), canonical_string(fields, api_key).encode("utf-8"),
                    hashlib.sha256).hexdigest()


def signature_matches(fields, api_key):
    """以恒定时间比较 fields["signature"] 与正确签名 / constant-time comparison."""
    received = fields.get("signature")
    if not isinstance(received, str) or not _HEX64.fullmatch(received):
        return False
    return hmac.compare_digest(sign(fields, api_key), received.lower())


def parse_shanghai_time(text):
    """把 "YYYY-MM-DD HH:mm:ss" 按上海时间（UTC+8）解析为 Unix 秒；不能按本机时区解析。
    Reads Shanghai "YYYY-MM-DD HH:mm:ss" as UTC+8 (not the local zone) into Unix seconds."""
    if not isinstance(text, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", text):
        raise ValueError(f"timestamp 格式不对 bad timestamp: {text!r}")
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI).timestamp()


class CallbackVerifier:
    """检查一个回调：签名、时间戳（5 分钟内）、nonce 未用过。线程安全。
    幂等（同一订单只处理一次）由业务代码负责，见 verify.py。
    Checks one callback: signature, timestamp within 5 minutes, unused nonce.
    Thread-safe. Idempotency is business code: see verify.py."""

    def __init__(self, api_key, window_seconds=WINDOW_SECONDS, now=time.time):
        if not api_key:
            raise ValueError("缺少 API 密钥 / API key missing")
        self.api_key = api_key
        self.window = window_seconds
        self.now = now
        self._nonces = {}  # nonce → 过期时间 / expiry
        self._lock = threading.Lock()

    def check(self, fields):
        """返回 None 表示通过，否则返回拒绝原因 / None when genuine, else the reason."""
        try:
            good = signature_matches(fields, self.api_key)
        except ValueError as err:
            return f"字段格式不对 malformed field: {err}"
        if not good:
            return "签名不正确 bad signature（API 密钥不一致或数据被篡改 / wrong API key or tampered data）"

        # paygate 的 timestamp 是本次发送的上海时间，重试时也是新的。
        # paygate's timestamp is this attempt's Shanghai time, fresh on every retry.
        now = self.now()
        try:
            sent = parse_shanghai_time(fields.get("timestamp"))
        except ValueError as err:
            return str(err)
        if abs(now - sent) > self.window:
            return f"timestamp 与本机时间相差 {round(now - sent)} 秒，超过 5 分钟 too old or in the future"

        nonce = fields.get("nonce")
        if not isinstance(nonce, str) or not nonce:
            return "缺少 nonce / nonce missing"
        with self._lock:
            for n in [n for n, exp in self._nonces.items() if exp < now]:
                del self._nonces[n]
            if nonce in self._nonces:
                return "nonce 已用过（重放）nonce replayed"
            self._nonces[nonce] = now + 2 * self.window
        return None


def request_string(method, path, fields, api_key):
    """发给 paygate 的请求所签的串：请求方法、路径（不含查询串）、再接字段的签名串。
    What a request to paygate signs: method, path (without the query), then the
    canonical string of every field sent (query parameters too)."""
    return f"{method}\n{path}\n{canonical_string(fields, api_key)}"


def sign_request(method, path, body, api_key, timestamp=None, nonce=None):
    """给发往 paygate 的请求体加上 timestamp、nonce、signature（指南的签名方式，替代 Bearer）。
    method 和 path 是这个请求的，例如 "POST" 和 "/api/orders"。会返回或更换密钥的接口
    （添加设备、更换密钥、设置 apiKey）只接受 Bearer。数字按 json.dumps 的文本签名，与实际发送的 JSON 文本一致。
    timestamp 和 nonce 参数只供自检使用。
    Adds timestamp, nonce and signature to the body of a request to paygate
    (instead of Bearer); method and path are the request's, e.g. "POST" and
    "/api/orders". Endpoints that answer or change a secret (adding a device,
    rotating a key, setting apiKey) take only the Bearer key. Numbers are signed
    as json.dumps writes them, i.e. as sent. timestamp and nonce are for the self-test."""
    signed = dict(body)
    # Unix 秒；也可用上海时间 "YYYY-MM-DD HH:mm:ss" / Unix seconds, or Shanghai time
    signed["timestamp"] = timestamp if timestamp is not None else str(int(time.time()))
    signed["nonce"] = nonce if nonce is not None else secrets.token_hex(16)
    text = request_string(method, path, signed, api_key)
    signed["signature"] = hmac.new(api_key.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()
    return signed
