-- wrk script for .ci/bench: POST /api/orders with a random amount between
-- BENCH_FEN_LO and BENCH_FEN_HI fen and a random method, as many shops'
-- customers would; prints one RESULT line for the script to read.
local key = os.getenv("PAYGATE_MERCHANT_API_KEY") or "bench-key-123"
local lo = tonumber(os.getenv("BENCH_FEN_LO") or "100")
local hi = tonumber(os.getenv("BENCH_FEN_HI") or "200000")
local methods = { "alipay", "wechat" }
local threads = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. key

function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

function init(args)
  math.randomseed(os.time() * 1000 + seed)
end

function request()
  local fen = math.random(lo, hi)
  local body = string.format('{"productName":"bench","amount":%d.%02d,"paymentMethod":"%s"}',
    math.floor(fen / 100), fen % 100, methods[math.random(2)])
  return wrk.format(nil, "/api/orders", nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d non2xx=%d socket_errors=%d p50_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
