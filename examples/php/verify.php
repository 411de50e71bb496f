<?php
// paygate 回调接收示例（纯 PHP）：验签、时间戳、nonce 防重放、幂等处理，回复 {"success":true}。
// paygate callback receiver (plain PHP): signature, timestamp, nonce replay
// cache, idempotent handling, answers {"success":true}.
//
//   PAYGATE_API_KEY=test_key_123456 php -S 127.0.0.1:3001 verify.php   # 回调地址 http://127.0.0.1:3001/payment-callback
//   php verify.php --selftest [vectors.json]                            # 校验共享签名测试向量
//
// 放进 Nginx/Apache + PHP-FPM 也一样：把回调地址指向这个文件。
// Under Nginx/Apache + PHP-FPM it works the same: point the callback URL at this file.
// 环境变量 / environment: PAYGATE_API_KEY（必填 required）,
// PAYGATE_STATE_DIR（nonce 与已处理订单的存放目录 / where nonces and processed orders are kept;
// default: <system temp>/paygate-merchant-example）.

declare(strict_types=1);

require __DIR__ . '/paygate.php';

/** 写日志（php -S 下显示在终端）/ log a line (shown in the php -S terminal). */
function log_line(string $line): void
{
    error_log($line);
}

function respond(int $status, array $body): void
{
    http_response_code($status);
    header('Content-Type: application/json; charset=utf-8');
    echo json_encode($body, JSON_UNESCAPED_UNICODE);
}

/**
 * 在文件锁内读写状态：用过的 nonce 与已处理的订单。PHP 每个请求都是新进程/新变量，所以要存到文件。
 * 真实系统请用数据库，并用条件更新保证只处理一次，例如
 *   UPDATE orders SET status='paid' WHERE pay_order_id=? AND status='pending'
 * 受影响行数为 0 就说明处理过了。
 * Read and write state (used nonces, processed orders) under a file lock: PHP
 * keeps nothing between requests. A real shop uses its database with a
 * conditional update (0 rows affected = already processed).
 */
function with_state(callable $fn)
{
    $dir = getenv('PAYGATE_STATE_DIR') ?: sys_get_temp_dir() . '/paygate-merchant-example';
    if (!is_dir($dir) && !mkdir($dir, 0700, true) && !is_dir($dir)) {
        throw new RuntimeException("无法创建目录 cannot create $dir");
    }
    $fp = fopen($dir . '/state.json', 'c+');
    if ($fp === false || !flock($fp, LOCK_EX)) {
        throw new RuntimeException('无法锁定状态文件 cannot lock the state file');
    }
    try {
        $raw = stream_get_contents($fp);
        $state = $raw ? json_decode($raw, true) : null;
        if (!is_array($state)) {
            $state = ['nonces' => [], 'orders' => []];
        }
        $result = $fn($state);
        ftruncate($fp, 0);
        rewind($fp);
        fwrite($fp, json_encode($state, JSON_UNESCAPED_UNICODE));
        fflush($fp);
        return $result;
    } finally {
        flock($fp, LOCK_UN);
        fclose($fp);
    }
}

/**
 * 处理一笔已验证的付款，返回 true 表示本次是第一次处理。
 * Handles one verified payment; true when this is the first time.
 */
function handle_paid(array &$state, array $cb): bool
{
    $orderId = (string)$cb['orderId'];
    if (isset($state['orders'][$orderId])) {
        return false;
    }
    // 在这里：核对金额（amount 是实付金额，displayAmount 是下单金额）、标记已付款、发货……
    // Here: check the amount (amount was paid, displayAmount was asked), mark paid, ship…
    $state['orders'][$orderId] = ['amount' => $cb['amount'] ?? null, 'paidAt' => $cb['paidAt'] ?? null];
    return true;
}

function handle_callback(string $apiKey): void
{
    try {
        // 数字保留原文，签名才能对上 / keep number text so the signature matches.
        $cb = paygate_decode_keep_numbers((string)file_get_contents('php://input'));
    } catch (Throwable $e) {
        log_line('✗ 拒绝回调 rejected: 请求体不是 JSON 对象 body is not a JSON object');
        respond(400, ['success' => false, 'error' => '请求体不是 JSON 对象']);
        return;
    }
    $orderId = is_string($cb['orderId'] ?? null) ? $cb['orderId'] : '';
    try {
        [$reason, $first] = with_state(static function (array &$state) use ($cb, $apiKey): array {
            $reason = paygate_check_callback($cb, $apiKey, $state['nonces'], time());
            if ($reason !== null) {
                return [$reason, false];
            }
            $first = ($cb['status'] ?? '') === 'success' ? handle_paid($state, $cb) : null;
            return [null, $first];
        });
    } catch (Throwable $e) {
        // 回复失败，paygate 会稍后重试 / answer failure: paygate retries later.
        log_line('处理失败 processing failed: ' . $e->getMessage());
        respond(500, ['success' => false, 'error' => '内部处理错误']);
        return;
    }
    if ($reason !== null) {
        log_line("✗ 拒绝回调 rejected orderId=$orderId: $reason");
        respond(401, ['success' => false, 'error' => $reason]);
        return;
    }
    log_line(sprintf('✓ 验签通过 verified orderId=%s amount=%s paymentMethod=%s status=%s',
        $orderId, $cb['amount'] ?? '', $cb['paymentMethod'] ?? '', $cb['status'] ?? ''));
    if ($first === true) {
        log_line("→ 已处理 processed orderId=$orderId amount=" . ($cb['amount'] ?? ''));
    } elseif ($first === false) {
        log_line("= 重复回调，之前已处理 duplicate orderId=$orderId");
    }
    respond(200, ['success' => true, 'message' => '处理成功', 'orderId' => $orderId]);
}

/** 用共享测试向量检查签名代码；返回退出码 / checks the code against the shared vectors. */
function selftest(string $file): int
{
    $vectors = json_decode((string)file_get_contents($file), true, 16, JSON_THROW_ON_ERROR);
    $passed = 0;
    $failed = 0;
    $expect = static function (string $name, bool $ok, string $detail) use (&$passed, &$failed): void {
        if ($ok) {
            $passed++;
        } else {
            $failed++;
            echo "FAIL $name: $detail\n";
        }
    };
    foreach ($vectors['cases'] as $c) {
        [$name, $key] = [$c['name'], $c['apiKey']];
        $fields = paygate_decode_keep_numbers($c['json']);
        if ($c['kind'] === 'request') {
            // 发给 paygate 的请求：签名串带请求方法和路径；它不是有效的回调。
            // A request to paygate: its string has the method and path; it is no valid callback.
            $text = paygate_request_string($c['method'], $c['path'], $fields, $key);
            $expect($name, $text === $c['canonical'], "request string\n  got  " . json_encode($text) . "\n  want " . json_encode($c['canonical']));
            // 用 json_decode 得到的 int/float 值签名（客户端手里的值），须与原文签名相同。
            // Signing the int/float values json_decode gives (what a client holds) must match too.
            $values = json_decode($c['json'], true, 8, JSON_THROW_ON_ERROR);
            $body = array_diff_key($values, ['timestamp' => 0, 'nonce' => 0, 'signature' => 0]);
            $signed = paygate_sign_request($c['method'], $c['path'], $body, $key, $values['timestamp'], $values['nonce']);
            $expect($name, $signed['signature'] === $c['signature'], 'request signer differs');
            $expect($name, !paygate_signature_matches($fields, $key), 'a request signature passed as a callback');
            continue;
        }
        $canonical = paygate_canonical_string($fields, $key);
        $expect($name, $canonical === $c['canonical'], "canonical\n  got  $canonical\n  want {$c['canonical']}");
        $expect($name, paygate_sign($fields, $key) === $c['signature'], 'signature differs');
        $expect($name, paygate_signature_matches($fields, $key), 'genuine message rejected');
        $expect($name, !paygate_signature_matches($fields, $key . 'x'), 'accepted with a wrong key');
        $tampered = $fields;
        $tampered['amount'] = '999';
        $expect($name, !paygate_signature_matches($tampered, $key), 'accepted a tampered amount');
        $sent = paygate_parse_shanghai_time($fields['timestamp'] ?? null);
        if ($c['kind'] === 'callback' && $sent !== null) {
            // 完整流程：窗口内通过；同一 nonce 再来被拒；6 分钟后被拒。
            // Whole check: fresh passes, the same nonce again fails, 6 minutes later fails.
            $nonces = [];
            $expect($name, paygate_check_callback($fields, $key, $nonces, $sent + 30) === null, 'fresh callback rejected');
            $expect($name, paygate_check_callback($fields, $key, $nonces, $sent + 31) !== null, 'replayed nonce accepted');
            $other = $fields;
            $other['nonce'] = 'other';
            $expect($name, paygate_check_callback($other, $key, $nonces, $sent + 390) !== null, 'stale timestamp accepted');
        }
    }
    // 上海时间按 UTC+8 解析，与 PHP 默认时区无关 / UTC+8 whatever PHP's default zone.
    $expect('timestamp UTC+8', paygate_parse_shanghai_time('2026-11-26 16:10:05') === 1795680605, 'wrong zone');
    $expect('timestamp invalid', paygate_parse_shanghai_time('2026-02-30 10:00:00') === null, 'accepted 2026-02-30');
    echo "selftest: $passed passed, $failed failed\n";
    return $failed === 0 ? 0 : 1;
}

if (PHP_SAPI === 'cli') {
    if (($argv[1] ?? '') !== '--selftest') {
        fwrite(STDERR, "用法 usage: php -S 127.0.0.1:3001 verify.php  |  php verify.php --selftest [vectors.json]\n");
        exit(2);
    }
    exit(selftest($argv[2] ?? __DIR__ . '/../testdata/signature-vectors.json'));
}

// Web 请求 / a web request (php -S, PHP-FPM …).
$path = parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH);
if ($_SERVER['REQUEST_METHOD'] === 'GET' && $path === '/health') {
    respond(200, ['status' => 'ok', 'service' => 'merchant-example-php']);
    return;
}
if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
    respond(405, ['success' => false, 'error' => '只接受 POST / POST only']);
    return;
}
$apiKey = getenv('PAYGATE_API_KEY');
if (!is_string($apiKey) || $apiKey === '') {
    log_line('请设置环境变量 PAYGATE_API_KEY（与 paygate 设置页的 API 密钥相同）/ set PAYGATE_API_KEY');
    respond(500, ['success' => false, 'error' => '商户未配置 API 密钥']);
    return;
}
handle_callback($apiKey);
