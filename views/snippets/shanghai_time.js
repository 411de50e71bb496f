// paygate 的 timestamp 是上海时间（UTC+8），不是服务器本地时间 / Shanghai time, not the server's zone
function callbackTime(ts) {
  return new Date(ts.replace(' ', 'T') + '+08:00');
}
// 5 分钟内 / within 5 minutes: Math.abs(Date.now() - callbackTime(data.timestamp)) <= 300000
