"""Callback verifier written from the merchant guide's Python (Flask) example.

generate_signature and verify_signature are the guide's code unchanged; this
wrapper reads the callback JSON body from a file and exits 0 when it is genuine.
Usage: python3 guide_verify.py API_KEY BODY.json
"""
import hashlib
import hmac
import json
import sys


def generate_signature(params, api_key):
    """生成签名"""
    params_copy = params.copy()
    params_copy['api_key'] = api_key

    # 按key排序
    sorted_params = sorted(params_copy.items())

    # 构建签名字符串
    sign_string = '&'.join([f"{k}={v}" for k, v in sorted_params if v is not None])

    # 生成HMAC-SHA256签名
    signature = hmac.new(
        api_key.encode('utf-8'),
        sign_string.encode('utf-8'),
        hashlib.sha256
    ).hexdigest()

    return signature


def verify_signature(params, received_signature, api_key):
    """验证签名"""
    params_copy = params.copy()
    if 'signature' in params_copy:
        del params_copy['signature']

    expected_signature = generate_signature(params_copy, api_key)

    return hmac.compare_digest(received_signature, expected_signature)


if __name__ == '__main__':
    api_key, path = sys.argv[1], sys.argv[2]
    with open(path, encoding='utf-8') as f:
        data = json.load(f)
    signature = data.get('signature')
    if signature and verify_signature(data, signature, api_key):
        print('ok')
        sys.exit(0)
    print('signature rejected')
    sys.exit(1)
