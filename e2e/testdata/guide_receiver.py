"""A callback receiver that checks the timestamp the way the merchant guide's
Python (Flask) example does, standard library only instead of Flask.

generate_signature and verify_signature are the guide's (guide_verify.py);
the timestamp check is the guide's lines unchanged: datetime.fromisoformat on
the callback's timestamp against datetime.now(), both naive, so on a server
whose zone is UTC (TZ=UTC) every callback looks 8 hours old and is refused
with 401 {"success": false, "error": "回调已过期"}. Answers are JSON with
non-ASCII escaped, as Flask's jsonify writes them.

Usage: TZ=UTC python3 guide_receiver.py API_KEY   (prints the port it listens on)
"""
import json
import sys
from datetime import datetime
from http.server import BaseHTTPRequestHandler, HTTPServer

from guide_verify import verify_signature

API_KEY = sys.argv[1]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body):
        raw = json.dumps(body).encode('utf-8')  # ensure_ascii, as jsonify
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_POST(self):
        data = json.loads(self.rfile.read(int(self.headers.get('Content-Length', 0))))

        # 验证签名
        signature = data.get('signature')
        if not signature or not verify_signature(data, signature, API_KEY):
            return self.answer(401, {'success': False, 'error': '签名验证失败'})

        # 验证时间戳
        if 'timestamp' in data:
            callback_time = datetime.fromisoformat(data['timestamp'].replace('Z', '+00:00'))
            current_time = datetime.now()
            time_diff = abs((current_time - callback_time).total_seconds())

            if time_diff > 300:  # 5分钟
                return self.answer(401, {'success': False, 'error': '回调已过期'})

        return self.answer(200, {'success': True, 'message': '处理成功', 'orderId': data.get('orderId')})


if __name__ == '__main__':
    server = HTTPServer(('127.0.0.1', 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()
