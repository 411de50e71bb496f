// paygate 回调验签（Node.js）。完整版（时间戳、nonce 防重放、幂等）：examples/node/verify.js
// Verify a paygate callback (Node.js). Full version: examples/node/verify.js
const crypto = require("crypto");

function paygateVerify(rawBody, apiKey) {
  const body = JSON.parse(rawBody); // String(n) 就是 paygate 发的最短形式：1、0.1、1234.5
  const fields = Object.assign({}, body, { api_key: apiKey });
  delete fields.signature;
  const text = Object.keys(fields)
    .filter((k) => fields[k] !== null && fields[k] !== "")
    .sort()
    .map((k) => k + "=" + String(fields[k]))
    .join("&");
  const want = crypto.createHmac("sha256", apiKey).update(text, "utf8").digest("hex");
  const got = String(body.signature || "");
  return got.length === want.length && crypto.timingSafeEqual(Buffer.from(got), Buffer.from(want));
}
