'use strict';
// paygate 回调接收示例（Express）：验签、时间戳、nonce 防重放、幂等处理，回复 {"success":true}。
// paygate callback receiver (Express): signature, timestamp, nonce replay
// cache, idempotent handling, answers {"success":true}.
//
//   PAYGATE_API_KEY=test_key_123456 node verify.js        # 监听 127.0.0.1:3001/payment-callback
//   node verify.js --selftest [vectors.json]               # 校验共享签名测试向量
//
// 环境变量 / environment: PAYGATE_API_KEY（必填 required）, HOST (127.0.0.1), PORT (3001),
// CALLBACK_PATH (/payment-callback).

const fs = require('fs');
const path = require('path');
const {
  CallbackVerifier, canonicalString, sign, signatureMatches, parseShanghaiTime, requestString, signRequest,
} = require('./paygate');

// ---- 业务部分 / the business part --------------------------------------------------

// 已处理的订单。真实系统请用数据库，并用条件更新保证只处理一次，例如
//   UPDATE orders SET status='paid' WHERE pay_order_id=? AND status='pending'
// 受影响行数为 0 就说明处理过了。
// Processed orders. A real shop uses its database, with a conditional update so
// an order is processed once (0 rows affected = already done).
const processedOrders = new Map();

// handlePaid 处理一笔已验证的付款，返回 true 表示本次是第一次处理。
// handlePaid handles one verified payment; true when this is the first time.
function handlePaid(cb) {
  if (processedOrders.has(cb.orderId)) return false;
  // 在这里：核对金额（amount 是实付金额，displayAmount 是下单金额）、标记已付款、发货……
  // Here: check the amount (amount was paid, displayAmount was asked), mark paid, ship…
  processedOrders.set(cb.orderId, { amount: cb.amount, paidAt: cb.paidAt });
  return true;
}

function startServer() {
  const express = require('express'); // 只有服务模式需要 / only the server needs it
  const apiKey = process.env.PAYGATE_API_KEY;
  if (!apiKey) {
    console.error('请设置环境变量 PAYGATE_API_KEY（与 paygate 设置页的 API 密钥相同）/ set PAYGATE_API_KEY');
    process.exit(2);
  }
  const host = process.env.HOST || '127.0.0.1';
  const port = Number(process.env.PORT || 3001);
  const callbackPath = process.env.CALLBACK_PATH || '/payment-callback';
  const verifier = new CallbackVerifier({ apiKey });

  const app = express();
  app.use(express.json({ limit: '64kb' }));

  app.post(callbackPath, (req, res) => {
    const cb = req.body;
    if (cb === null || typeof cb !== 'object' || Array.isArray(cb)) {
      console.log('✗ 拒绝回调 rejected: 请求体不是 JSON 对象 body is not a JSON object');
      return res.status(400).json({ success: false, error: '请求体不是 JSON 对象' });
    }
    const result = verifier.check(cb);
    if (!result.ok) {
      console.log(`✗ 拒绝回调 rejected orderId=${cb.orderId}: ${result.reason}`);
      return res.status(401).json({ success: false, error: result.reason });
    }
    console.log(`✓ 验签通过 verified orderId=${cb.orderId} amount=${cb.amount} paymentMethod=${cb.paymentMethod} status=${cb.status}`);
    try {
      if (cb.status === 'success') {
        if (handlePaid(cb)) {
          console.log(`→ 已处理 processed orderId=${cb.orderId} amount=${cb.amount}`);
        } else {
          console.log(`= 重复回调，之前已处理 duplicate orderId=${cb.orderId}`);
        }
      }
    } catch (err) {
      // 处理失败时回复非成功，paygate 会稍后重试 / answer failure: paygate retries later.
      console.error('处理失败 processing failed:', err);
      return res.status(500).json({ success: false, error: '内部处理错误' });
    }
    return res.json({ success: true, message: '处理成功', orderId: cb.orderId });
  });

  app.get('/health', (req, res) => res.json({ status: 'ok', service: 'merchant-example-node' }));

  // JSON 解析失败等 / malformed JSON and other errors.
  app.use((err, req, res, next) => {
    console.log(`✗ 拒绝回调 rejected: ${err.message}`);
    res.status(err.status || 400).json({ success: false, error: '请求体不是有效的 JSON' });
  });

  app.listen(port, host, () => {
    console.log(`商户回调示例已启动 listening: http://${host}:${port}${callbackPath}`);
  });
}

// ---- 自检 / self-test ----------------------------------------------------------------

// selftest 用共享测试向量检查本文件的签名代码，任何不一致都以非零退出。
// selftest checks this code against the shared vectors; exits non-zero on any mismatch.
function selftest(file) {
  const vectors = JSON.parse(fs.readFileSync(file, 'utf8'));
  let passed = 0;
  let failed = 0;
  const expect = (name, ok, detail) => {
    if (ok) {
      passed++;
    } else {
      failed++;
      console.log(`FAIL ${name}: ${detail}`);
    }
  };
  for (const c of vectors.cases) {
    const fields = JSON.parse(c.json); // 与 express.json() 相同的解析 / same parse as express.json()
    if (c.kind === 'request') {
      // 发给 paygate 的请求：签名串带请求方法和路径；它不是有效的回调。
      // A request to paygate: its string has the method and path; it is no valid callback.
      const text = requestString(c.method, c.path, fields, c.apiKey);
      expect(c.name, text === c.canonical, `request string\n  got  ${JSON.stringify(text)}\n  want ${JSON.stringify(c.canonical)}`);
      const { timestamp, nonce, signature, ...body } = fields;
      const signed = signRequest(c.method, c.path, body, c.apiKey, { timestamp, nonce });
      expect(c.name, signed.signature === c.signature, `signRequest gives ${signed.signature}`);
      expect(c.name, !signatureMatches(fields, c.apiKey), 'a request signature passed as a callback');
      continue;
    }
    const canonical = canonicalString(fields, c.apiKey);
    expect(c.name, canonical === c.canonical, `canonical\n  got  ${canonical}\n  want ${c.canonical}`);
    expect(c.name, sign(fields, c.apiKey) === c.signature, 'signature differs');
    expect(c.name, signatureMatches(fields, c.apiKey), 'genuine message rejected');
    expect(c.name, !signatureMatches(fields, c.apiKey + 'x'), 'accepted with a wrong key');
    const tampered = { ...fields, amount: typeof fields.amount === 'number' ? fields.amount + 1 : '999' };
    expect(c.name, !signatureMatches(tampered, c.apiKey), 'accepted a tampered amount');
    if (c.kind === 'callback' && /^\d{4}-/.test(fields.timestamp)) {
      // 完整流程：时间在窗口内通过；同一 nonce 再来被拒；6 分钟后被拒。
      // Whole check: fresh passes, the same nonce again fails, 6 minutes later fails.
      let now = parseShanghaiTime(fields.timestamp) + 30 * 1000;
      const v = new CallbackVerifier({ apiKey: c.apiKey, now: () => now });
      expect(c.name, v.check(fields).ok, 'fresh callback rejected');
      expect(c.name, !v.check(fields).ok, 'replayed nonce accepted');
      now += 6 * 60 * 1000;
      expect(c.name, !v.check({ ...fields, nonce: 'other' }).ok, 'stale timestamp accepted');
    }
  }
  // 上海时间按 UTC+8 解析，与本机时区无关 / Shanghai time is UTC+8 whatever the local zone.
  expect('timestamp UTC+8', parseShanghaiTime('2026-11-26 16:10:05') === Date.UTC(2026, 10, 26, 8, 10, 5), 'wrong zone');
  expect('timestamp invalid', Number.isNaN(parseShanghaiTime('2026-02-30 10:00:00')), 'accepted 2026-02-30');
  console.log(`selftest: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

const args = process.argv.slice(2);
if (args[0] === '--selftest') {
  selftest(args[1] || path.join(__dirname, '..', 'testdata', 'signature-vectors.json'));
} else {
  startServer();
}
