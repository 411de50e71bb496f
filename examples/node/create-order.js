'use strict';
// 在 paygate 创建订单 / create an order on paygate.
//
//   PAYGATE_URL=http://127.0.0.1:3000 PAYGATE_API_KEY=test_key_123456 \
//     node create-order.js --amount 1 --method alipay --auth bearer
//
// --auth bearer：请求头 Authorization: Bearer <API密钥>（最简单）。
// --auth sign：  不发送密钥，对 请求方法、路径 和请求字段签名（timestamp、nonce、signature）。
// --auth bearer sends the key in a header (simplest); --auth sign sends only an
// HMAC signature over the method, the path and the fields.
// 成功时把 paygate 的 JSON 应答打印到标准输出 / prints paygate's JSON answer on success.

const { parseArgs } = require('util');
const { signRequest } = require('./paygate');

async function createOrder({ baseUrl, apiKey, auth, order }) {
  let body = order;
  const headers = { 'Content-Type': 'application/json' };
  if (auth === 'bearer') {
    headers.Authorization = `Bearer ${apiKey}`;
  } else if (auth === 'sign') {
    body = signRequest('POST', '/api/orders', order, apiKey);
  } else {
    throw new Error(`--auth 只能是 bearer 或 sign / must be bearer or sign: ${auth}`);
  }
  const res = await fetch(new URL('/api/orders', baseUrl), {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10000),
  });
  const answer = await res.json();
  if (!res.ok || answer.success !== true) {
    // paygate 的错误消息会说明怎么改 / paygate's message says what to fix.
    throw new Error(`paygate ${res.status}: ${answer.error || JSON.stringify(answer)}`);
  }
  return answer;
}

async function main() {
  const { values } = parseArgs({
    options: {
      amount: { type: 'string', default: '0.01' },
      method: { type: 'string', default: 'alipay' },
      product: { type: 'string', default: '测试商品' },
      'notify-url': { type: 'string' },
      'merchant-order-id': { type: 'string' },
      auth: { type: 'string', default: 'bearer' },
    },
  });
  const apiKey = process.env.PAYGATE_API_KEY;
  if (!apiKey) throw new Error('请设置环境变量 PAYGATE_API_KEY / set PAYGATE_API_KEY');
  // 金额最多两位小数；发送 JSON 数字 / at most 2 decimals, sent as a JSON number.
  if (!/^\d+(\.\d{1,2})?$/.test(values.amount)) throw new Error(`金额格式不对 bad amount: ${values.amount}`);
  const order = {
    productName: values.product,
    amount: Number(values.amount),
    paymentMethod: values.method,
    notifyUrl: values['notify-url'], // undefined 不会发送也不参与签名 / undefined is neither sent nor signed
    merchantOrderId: values['merchant-order-id'],
  };
  const answer = await createOrder({
    baseUrl: process.env.PAYGATE_URL || 'http://127.0.0.1:3000',
    apiKey,
    auth: values.auth,
    order,
  });
  console.error(`订单已创建 order created: ${answer.orderId}，请支付 pay exactly ${answer.amount} 元`);
  console.log(JSON.stringify(answer));
}

main().catch((err) => {
  console.error(`创建订单失败 failed: ${err.message}`);
  process.exit(1);
});
