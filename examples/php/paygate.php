<?php
// paygate 签名工具（PHP 7.4+，只用内置函数，不需要 curl 扩展）。
// paygate signing helpers (PHP 7.4+, built-in functions only, no curl extension).
//
// 签名规则 / the rule: 除 signature 外的所有字段，去掉 null（和空字符串），加入 api_key，
// 按键名字节序排序，拼成 k=v 用 & 连接，以 API 密钥做 HMAC-SHA256，小写十六进制。
// Every field but signature, null (and empty) values dropped, api_key added,
// keys sorted by byte order, k=v joined with &, HMAC-SHA256 keyed by the API
// key, lowercase hex.
// 回调只签这个串；发给 paygate 的签名请求在前面加上 请求方法 + "\n" + 路径（不含查询串）+ "\n"，
// 所以回调永远不能当作请求用。
// Callbacks sign that string alone; a signed request to paygate puts its
// method and path (without the query) in front, each followed by "\n", so a
// callback can never pass as a request.

declare(strict_types=1);

// json_encode 写浮点数时用最短形式（0.1 而不是 0.10000000000000001）。
// json_encode writes floats in shortest form (0.1, not 0.10000000000000001).
ini_set('serialize_precision', '-1');

const PAYGATE_WINDOW_SECONDS = 300; // 回调 timestamp 允许的时间差 / allowed clock difference

/**
 * 解析 JSON，所有数字保留原文（变成字符串）：1 → "1"，0.1 → "0.1"，1234.5 → "1234.5"。
 * json_decode 会把数字变成 int/float，再转字符串可能变样（精度设置、语言区域 "0,1"），签名就对不上。
 * Parse JSON keeping each number's exact text (as a string): json_decode turns
 * numbers into int/float, and float-to-string may differ (precision, locale).
 *
 * @return array 解析结果；不是 JSON 对象时抛出异常 / the object; throws otherwise
 */
function paygate_decode_keep_numbers(string $json): array
{
    // 逐个匹配 JSON 字符串（原样保留）和数字（加上引号）。字符串整体先被匹配，所以字符串里的数字不受影响。
    // Match JSON strings (kept as they are) and numbers (quoted); a string is
    // consumed whole, so digits inside strings are untouched.
    $quoted = preg_replace_callback(
        '/"(?:[^"\\\\]++|\\\\.)*+"|-?(?:0|[1-9][0-9]*+)(?:\.[0-9]++)?(?:[eE][+-]?[0-9]++)?/',
        static function (array $m): string {
            return $m[0][0] === '"' ? $m[0] : '"' . $m[0] . '"';
        },
        $json
    );
    if ($quoted === null) {
        throw new InvalidArgumentException('JSON 无法解析 / cannot parse JSON');
    }
    $data = json_decode($quoted, true, 8, JSON_THROW_ON_ERROR);
    if (!is_array($data) || substr(ltrim($json), 0, 1) !== '{') {
        throw new InvalidArgumentException('不是 JSON 对象 / not a JSON object');
    }
    return $data;
}

/**
 * 签名串里的值：字符串原样；int/float 用 json_encode 的文本（即实际发送的文本）；布尔写作 true/false。
 * A value in the signature string: strings as they are; int/float as
 * json_encode writes them (what is sent); booleans as true/false.
 */
function paygate_value_text($value): string
{
    if (is_string($value)) {
        return $value;
    }
    if (is_bool($value)) {
        return $value ? 'true' : 'false'; // (string)true 是 "1"，不对 / (string)true is "1": wrong
    }
    if (is_int($value) || is_float($value)) {
        return json_encode($value, JSON_THROW_ON_ERROR);
    }
    // paygate 从不发送对象或数组 / paygate never sends objects or arrays.
    throw new InvalidArgumentException('字段值必须是字符串、数字或布尔 / values must be strings, numbers or booleans');
}

/** 被签名的字符串 / the string that is signed. */
function paygate_canonical_string(array $fields, string $apiKey): string
{
    $params = [];
    foreach ($fields as $key => $value) {
        $key = (string)$key;
        if ($key === 'signature' || $key === 'api_key' || $value === null) {
            continue;
        }
        $text = paygate_value_text($value);
        if ($text !== '') {
            $params[$key] = $text;
        }
    }
    $params['api_key'] = $apiKey;
    // SORT_STRING：按字节比较。默认的 ksort 会把数字样子的键按数值比较。
    // SORT_STRING compares bytes; plain ksort compares numeric-looking keys as numbers.
    ksort($params, SORT_STRING);
    $pairs = [];
    foreach ($params as $key => $text) {
        $pairs[] = $key . '=' . $text;
    }
    return implode('&', $pairs);
}

/** 计算签名 / computes the signature. */
function paygate_sign(array $fields, string $apiKey): string
{
    return hash_hmac('sha256', paygate_canonical_string($fields, $apiKey), $apiKey);
}

/** 以恒定时间比较 $fields['signature'] 与正确签名 / constant-time comparison. */
function paygate_signature_matches(array $fields, string $apiKey): bool
{
    $received = $fields['signature'] ?? null;
    if (!is_string($received) || !preg_match('/^[0-9a-fA-F]{64}$/D', $received)) {
        return false;
    }
    return hash_equals(paygate_sign($fields, $apiKey), strtolower($received));
}

/**
 * 把 "YYYY-MM-DD HH:mm:ss" 按上海时间（UTC+8）解析为 Unix 秒；不能用 strtotime（它按 PHP 默认时区解析）。
 * Reads Shanghai "YYYY-MM-DD HH:mm:ss" as UTC+8 into Unix seconds; strtotime
 * would use PHP's default time zone. null when malformed.
 */
function paygate_parse_shanghai_time($text): ?int
{
    if (!is_string($text) || !preg_match('/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/D', $text)) {
        return null;
    }
    $t = DateTimeImmutable::createFromFormat('!Y-m-d H:i:s', $text, new DateTimeZone('+08:00'));
    if ($t === false || $t->format('Y-m-d H:i:s') !== $text) {
        return null; // 例如 2026-02-30 / e.g. 2026-02-30
    }
    return $t->getTimestamp();
}

/**
 * 检查一个回调：签名、时间戳（5 分钟内）、nonce 未用过。通过返回 null，否则返回拒绝原因。
 * $usedNonces 是 nonce → 过期时间 的数组，会被更新（调用方负责保存）。
 * Checks one callback: signature, timestamp within 5 minutes, unused nonce.
 * null when genuine, else the reason. $usedNonces (nonce → expiry) is updated;
 * the caller stores it.
 */
function paygate_check_callback(array $cb, string $apiKey, array &$usedNonces, int $now): ?string
{
    try {
        $good = paygate_signature_matches($cb, $apiKey);
    } catch (InvalidArgumentException $e) {
        return '字段格式不对 malformed field: ' . $e->getMessage();
    }
    if (!$good) {
        return '签名不正确 bad signature（API 密钥不一致或数据被篡改 / wrong API key or tampered data）';
    }
    // paygate 的 timestamp 是本次发送的上海时间，重试时也是新的。
    // paygate's timestamp is this attempt's Shanghai time, fresh on every retry.
    $sent = paygate_parse_shanghai_time($cb['timestamp'] ?? null);
    if ($sent === null) {
        return 'timestamp 格式不对 bad timestamp';
    }
    if (abs($now - $sent) > PAYGATE_WINDOW_SECONDS) {
        return 'timestamp 与本机时间相差 ' . ($now - $sent) . ' 秒，超过 5 分钟 too old or in the future';
    }
    $nonce = $cb['nonce'] ?? null;
    if (!is_string($nonce) || $nonce === '') {
        return '缺少 nonce / nonce missing';
    }
    foreach ($usedNonces as $n => $expires) {
        if ($expires < $now) {
            unset($usedNonces[$n]);
        }
    }
    if (isset($usedNonces[$nonce])) {
        return 'nonce 已用过（重放）nonce replayed';
    }
    $usedNonces[$nonce] = $now + 2 * PAYGATE_WINDOW_SECONDS;
    return null;
}

/**
 * 发给 paygate 的请求所签的串：请求方法、路径（不含查询串）、再接字段的签名串。
 * What a request to paygate signs: method, path (without the query), then the
 * canonical string of every field sent (query parameters too).
 */
function paygate_request_string(string $method, string $path, array $fields, string $apiKey): string
{
    return $method . "\n" . $path . "\n" . paygate_canonical_string($fields, $apiKey);
}

/**
 * 给发往 paygate 的请求体加上 timestamp、nonce、signature（指南的签名方式，替代 Bearer）。
 * $method 和 $path 是这个请求的，例如 'POST' 和 '/api/orders'。会返回或更换密钥的接口
 * （添加设备、更换密钥、设置 apiKey）只接受 Bearer。数字按 json_encode 的文本签名，与实际发送的 JSON 文本一致。
 * 后两个参数只供自检使用。
 * Adds timestamp, nonce and signature to the body of a request to paygate
 * (instead of Bearer); $method and $path are the request's, e.g. 'POST' and
 * '/api/orders'. Endpoints that answer or change a secret (adding a device,
 * rotating a key, setting apiKey) take only the Bearer key. Numbers are signed
 * as json_encode writes them, i.e. as sent. The last two arguments are for the self-test.
 */
function paygate_sign_request(string $method, string $path, array $body, string $apiKey, ?string $timestamp = null, ?string $nonce = null): array
{
    $body['timestamp'] = $timestamp ?? (string)time(); // Unix 秒；也可用上海时间 "YYYY-MM-DD HH:mm:ss"
    $body['nonce'] = $nonce ?? bin2hex(random_bytes(16));
    $body['signature'] = hash_hmac('sha256', paygate_request_string($method, $path, $body, $apiKey), $apiKey);
    return $body;
}
