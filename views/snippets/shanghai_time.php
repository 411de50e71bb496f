<?php
// paygate 的 timestamp 是上海时间（UTC+8），不是服务器本地时间 / Shanghai time, not the server's zone
function callback_time($ts) {
    return (new DateTime($ts, new DateTimeZone('Asia/Shanghai')))->getTimestamp();
}
// 5 分钟内 / within 5 minutes: abs(time() - callback_time($data['timestamp'])) <= 300
