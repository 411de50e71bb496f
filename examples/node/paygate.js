'use strict';
// paygate 签名工具（Node.js 18+，只用内置模块）。
// paygate signing helpers (Node.js 18+, built-in modules only).
//
// 签名规则 / the rule:
//   除 signature 外的所有字段，去掉 null（和空字符串），加入 api_key，
//   按键名字节序排序，拼成 k=v 用 & 连接，以 API 密钥做 HMAC-SHA256，小写十六进制。
//   Every field but signature, null (and empty) values dropped, api_key added,
//   keys sorted by byte order, k=v joined with &, HMAC-SHA256 keyed by the API
//   key, lowercase hex.
//   回调只签这个串；发给 paygate 的签名请求在前面加上 请求方法 + "\n" + 路径（不含查询串）+ "\n"，
//   所以回调永远不能当作请求用。
//   Callbacks sign that string alone; a signed request to paygate puts its
//   method and path (without the query) in front, each followed by "\n", so a
//   callback can never pass as a request.

const crypto = require('crypto');

// 回调 timestamp 与本机时间允许相差的秒数 / allowed clock difference for timestamp.
const WINDOW_SECONDS = 300;

// valueText 把一个 JSON 值写成签名串里的文本。
// 数字用 String(n)：JavaScript 的数字转字符串就是最短形式（1、100、0.1、1234.5），
// 与 paygate 发送的 JSON 数字文本完全一致，也与 JSON.stringify(n) 一致。
// valueText renders one JSON value for the signature string. String(n) is the
// shortest form (1, 100, 0.1, 1234.5): exactly the number text paygate sends,
// and the same text JSON.stringify writes when we send a request.
function valueText(value) {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('非有限数字 / not a finite number');
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      // paygate 从不发送对象或数组 / paygate never sends objects or arrays.
      throw new TypeError('字段值必须是字符串、数字或布尔 / values must be strings, numbers or booleans');
  }
}

// canonicalString 返回被签名的字符串 / the string that is signed.
function canonicalString(fields, apiKey) {
  const params = new Map();
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'signature' || key === 'api_key' || value === null || value === undefined) continue;
    const text = valueText(value);
    if (text !== '') params.set(key, text);
  }
  params.set('api_key', apiKey);
  // 按字节序排序（键名都是 ASCII，与默认 sort 相同；这样写对任何键都对）。
  // Byte order (the keys are ASCII, so this equals the default sort; this is right for any key).
  const keys = [...params.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return keys.map((k) => `${k}=${params.get(k)}`).join('&');
}

// sign 计算签名 / computes the signature.
function sign(fields, apiKey) {
  return crypto.createHmac('sha256', Buffer.from(apiKey, 'utf8'))
    .update(canonicalString(fields, apiKey), 'utf8')
    .digest('hex');
}

// signatureMatches 以恒定时间比较 fields.signature 与正确签名。
// signatureMatches compares fields.signature with the right one in constant time.
function signatureMatches(fields, apiKey) {
  const received = fields.signature;
  if (typeof received !== 'string' || !/^[0-9a-fA-F]{64}$/.test(received)) return false;
  const expected = Buffer.from(sign(fields, apiKey), 'hex');
  const got = Buffer.from(received.toLowerCase(), 'hex');
  // timingSafeEqual 要求长度相同，先比长度 / timingSafeEqual needs equal lengths.
  return got.length === expected.length && crypto.timingSafeEqual(got, expected);
}

// parseShanghaiTime 把 "YYYY-MM-DD HH:mm:ss"（上海时间，UTC+8，无夏令时）转为毫秒时间戳。
// 不能用 new Date(text)：它按服务器本地时区解析。失败返回 NaN。
// parseShanghaiTime reads "YYYY-MM-DD HH:mm:ss" as Shanghai time (UTC+8, no DST)
// into epoch milliseconds; new Date(text) would use the server's local zone. NaN on error.
function parseShanghaiTime(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) return NaN;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const asUTC = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(asUTC);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d ||
      check.getUTCHours() !== h || check.getUTCMinutes() !== mi || check.getUTCSeconds() !== s) {
    return NaN; // 例如 2026-02-30 / e.g. 2026-02-30
  }
  return asUTC - 8 * 3600 * 1000;
}

// CallbackVerifier 检查一个回调：签名、时间戳（5 分钟内）、nonce 未用过。
// 幂等（同一订单只处理一次）由业务代码负责，见 verify.js。
// CallbackVerifier checks one callback: signature, timestamp within 5 minutes,
// unused nonce. Idempotency (an order processed once) is business code: see verify.js.
class CallbackVerifier {
  constructor({ apiKey, windowSeconds = WINDOW_SECONDS, now = () => Date.now() }) {
    if (!apiKey) throw new Error('缺少 API 密钥 / API key missing');
    this.apiKey = apiKey;
    this.windowMs = windowSeconds * 1000;
    this.now = now;
    this.nonces = new Map(); // nonce → 过期时间 / expiry (ms)
  }

  // check 返回 {ok:true} 或 {ok:false, reason} / returns {ok:true} or {ok:false, reason}.
  check(fields) {
    let good;
    try {
      good = signatureMatches(fields, this.apiKey);
    } catch (err) {
      return { ok: false, reason: `字段格式不对 malformed field: ${err.message}` };
    }
    if (!good) return { ok: false, reason: '签名不正确 bad signature（API 密钥不一致或数据被篡改 / wrong API key or tampered data）' };

    // paygate 的 timestamp 是本次发送的上海时间，重试时也是新的。
    // paygate's timestamp is this attempt's Shanghai time, fresh on every retry.
    const now = this.now();
    const sent = parseShanghaiTime(String(fields.timestamp));
    if (Number.isNaN(sent)) return { ok: false, reason: `timestamp 格式不对 bad timestamp: ${fields.timestamp}` };
    if (Math.abs(now - sent) > this.windowMs) {
      return { ok: false, reason: `timestamp 与本机时间相差 ${Math.round((now - sent) / 1000)} 秒，超过 5 分钟 too old or in the future` };
    }

    // nonce 防重放：窗口内见过的 nonce 一律拒绝 / reject a nonce seen within the window.
    const nonce = fields.nonce;
    if (typeof nonce !== 'string' || nonce === '') return { ok: false, reason: '缺少 nonce / nonce missing' };
    for (const [n, expires] of this.nonces) if (expires < now) this.nonces.delete(n);
    if (this.nonces.has(nonce)) return { ok: false, reason: 'nonce 已用过（重放）nonce replayed' };
    this.nonces.set(nonce, now + 2 * this.windowMs);
    return { ok: true };
  }
}

// requestString 是发给 paygate 的请求所签的串：请求方法、路径（不含查询串）、再接字段的签名串。
// requestString is what a request to paygate signs: method, path (without the
// query), then the canonical string of every field sent (query parameters too).
function requestString(method, path, fields, apiKey) {
  return `${method}\n${path}\n${canonicalString(fields, apiKey)}`;
}

// signRequest 给发往 paygate 的请求体加上 timestamp、nonce、signature（指南的签名方式，替代 Bearer）。
// method 和 path 是这个请求的，例如 'POST' 和 '/api/orders'。会返回或更换密钥的接口（添加设备、
// 更换密钥、设置 apiKey）只接受 Bearer。请求里的数字会被 JSON.stringify 写成与 String(n) 相同的文本，
// 所以 paygate 收到的文本与签名一致。
// signRequest adds timestamp, nonce and signature to the body of a request to
// paygate (instead of Bearer); method and path are the request's, e.g. 'POST'
// and '/api/orders'. Endpoints that answer or change a secret (adding a device,
// rotating a key, setting apiKey) take only the Bearer key. JSON.stringify
// writes numbers exactly as String(n), so the text paygate receives is the
// text that was signed.
// 第五个参数只供自检使用 / the last argument is for the self-test only.
function signRequest(method, path, body, apiKey, {
  timestamp = String(Math.floor(Date.now() / 1000)), // Unix 秒；也可用上海时间 "YYYY-MM-DD HH:mm:ss"
  nonce = crypto.randomBytes(16).toString('hex'),
} = {}) {
  const signed = { ...body, timestamp, nonce };
  signed.signature = crypto.createHmac('sha256', Buffer.from(apiKey, 'utf8'))
    .update(requestString(method, path, signed, apiKey), 'utf8')
    .digest('hex');
  return signed;
}

module.exports = {
  WINDOW_SECONDS,
  valueText,
  canonicalString,
  sign,
  signatureMatches,
  parseShanghaiTime,
  CallbackVerifier,
  requestString,
  signRequest,
};
