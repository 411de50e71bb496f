<?php
// 在 paygate 创建订单（纯 PHP，不需要 curl 扩展）/ create an order on paygate (plain PHP, no curl).
//
//   PAYGATE_URL=http://127.0.0.1:3000 PAYGATE_API_KEY=test_key_123456 \
//     php create-order.php --amount=1 --method=alipay --auth=bearer
//
// --auth=bearer：请求头 Authorization: Bearer <API密钥>（最简单）。
// --auth=sign：  不发送密钥，对 请求方法、路径 和请求字段签名（timestamp、nonce、signature）。
// --auth=bearer sends the key in a header (simplest); --auth=sign sends only an
// HMAC signature over the method, the path and the fields.
// 成功时把 paygate 的 JSON 应答打印到标准输出 / prints paygate's JSON answer on success.

declare(strict_types=1);

require __DIR__ . '/paygate.php';

function paygate_create_order(string $baseUrl, string $apiKey, string $auth, array $order): array
{
    $headers = ['Content-Type: application/json'];
    if ($auth === 'bearer') {
        $headers[] = 'Authorization: Bearer ' . $apiKey;
        $body = $order;
    } elseif ($auth === 'sign') {
        $body = paygate_sign_request('POST', '/api/orders', $order, $apiKey);
    } else {
        throw new InvalidArgumentException("--auth 只能是 bearer 或 sign / must be bearer or sign: $auth");
    }
    $context = stream_context_create(['http' => [
        'method' => 'POST',
        'header' => implode("\r\n", $headers),
        // 与签名相同的数字文本（serialize_precision = -1，见 paygate.php）/ same number text as signed.
        'content' => json_encode($body, JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR),
        'timeout' => 10,
        'ignore_errors' => true, // 4xx 时也读取应答 / read the body on 4xx too
    ]]);
    $raw = @file_get_contents(rtrim($baseUrl, '/') . '/api/orders', false, $context);
    if ($raw === false) {
        throw new RuntimeException('无法连接 paygate / cannot reach paygate at ' . $baseUrl);
    }
    $answer = json_decode($raw, true);
    if (!is_array($answer) || ($answer['success'] ?? false) !== true) {
        // paygate 的错误消息会说明怎么改 / paygate's message says what to fix.
        throw new RuntimeException('paygate: ' . (is_array($answer) ? ($answer['error'] ?? $raw) : $raw));
    }
    return $answer;
}

$opt = getopt('', ['amount:', 'method:', 'product:', 'notify-url:', 'merchant-order-id:', 'auth:']);
$apiKey = getenv('PAYGATE_API_KEY');
if (!is_string($apiKey) || $apiKey === '') {
    fwrite(STDERR, "请设置环境变量 PAYGATE_API_KEY / set PAYGATE_API_KEY\n");
    exit(2);
}
$amountText = $opt['amount'] ?? '0.01';
if (!preg_match('/^\d+(\.\d{1,2})?$/D', $amountText)) {
    fwrite(STDERR, "金额格式不对 bad amount: $amountText\n");
    exit(2);
}
// 整数金额发 int，小数发 float：json_encode 写出 1、100、0.1，签名用同样的文本。
// Whole amounts go as int, others as float: json_encode writes 1, 100, 0.1, and the signature uses that text.
$amount = strpos($amountText, '.') === false || (float)$amountText == (int)$amountText
    ? (int)$amountText
    : (float)$amountText;
$order = [
    'productName' => $opt['product'] ?? '测试商品',
    'amount' => $amount,
    'paymentMethod' => $opt['method'] ?? 'alipay',
];
if (isset($opt['notify-url'])) {
    $order['notifyUrl'] = $opt['notify-url'];
}
if (isset($opt['merchant-order-id'])) {
    $order['merchantOrderId'] = $opt['merchant-order-id'];
}
try {
    $answer = paygate_create_order(getenv('PAYGATE_URL') ?: 'http://127.0.0.1:3000', $apiKey, $opt['auth'] ?? 'bearer', $order);
} catch (Throwable $e) {
    fwrite(STDERR, '创建订单失败 failed: ' . $e->getMessage() . "\n");
    exit(1);
}
fwrite(STDERR, "订单已创建 order created: {$answer['orderId']}，请支付 pay exactly {$answer['amount']} 元\n");
echo json_encode($answer, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES), "\n";
