<?php
// paygate 回调验签（PHP 7.4+）。完整版（时间戳、nonce 防重放、幂等）：examples/php/verify.php
// Verify a paygate callback (PHP 7.4+). Full version: examples/php/verify.php
function paygate_verify(string $rawBody, string $apiKey): bool
{
    // 先给数字加引号再解析，保留金额原文（1 不会变成 1.0）/ keep each number's exact text
    $quoted = preg_replace_callback(
        '/"(?:[^"\\\\]++|\\\\.)*+"|-?(?:0|[1-9][0-9]*+)(?:\.[0-9]++)?(?:[eE][+-]?[0-9]++)?/',
        function ($m) { return $m[0][0] === '"' ? $m[0] : '"' . $m[0] . '"'; },
        $rawBody
    );
    $body = json_decode((string)$quoted, true);
    if (!is_array($body)) {
        return false;
    }
    $fields = $body;
    unset($fields['signature']);
    $fields['api_key'] = $apiKey;
    $fields = array_filter($fields, function ($v) { return $v !== null && $v !== ''; });
    ksort($fields, SORT_STRING);
    $pairs = [];
    foreach ($fields as $k => $v) {
        $pairs[] = $k . '=' . $v;
    }
    $want = hash_hmac('sha256', implode('&', $pairs), $apiKey);
    return hash_equals($want, (string)($body['signature'] ?? ''));
}
