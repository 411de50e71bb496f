from datetime import datetime, timedelta, timezone


def callback_time(ts):
    # paygate 的 timestamp 是上海时间（UTC+8），不是服务器本地时间 / Shanghai time, not the server's zone
    return datetime.strptime(ts, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone(timedelta(hours=8)))

# 5 分钟内 / within 5 minutes: abs(time.time() - callback_time(data["timestamp"]).timestamp()) <= 300
