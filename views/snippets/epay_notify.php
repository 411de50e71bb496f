<?php
// 易支付 notify 验签（PHP）：paygate 用 GET 调用 notify_url，处理完回复 success。
// Verify paygate's 易支付 notify (PHP): a GET to notify_url; answer success when done.
function epay_verify(array $params, string $key): bool
{
    $sign = (string)($params['sign'] ?? '');
    unset($params['sign'], $params['sign_type']);
    $params = array_filter($params, function ($v) { return $v !== null && $v !== ''; });
    ksort($params, SORT_STRING);
    $pairs = [];
    foreach ($params as $k => $v) {
        $pairs[] = $k . '=' . $v; // 不做 URL 编码 / no URL encoding
    }
    return hash_equals(md5(implode('&', $pairs) . $key), strtolower($sign));
}
// 用法 / use: if (epay_verify($_GET, '你的API密钥') && $_GET['trade_status'] === 'TRADE_SUCCESS'
//   && bccomp($_GET['money'], $order_money, 2) === 0) { /* 发货 */ echo 'success'; }
