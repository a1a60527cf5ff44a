-- Record, `job.queued` event and ticket in one script (sent whole, not by SHA: see JobStore.create).
-- Ranks go to Redis as '%.0f' strings: Lua's own number-to-string keeps 14 digits, ranks need 16.
-- KEYS: job record, jobs by time, events, provider's pending, lane, provider's lanes, meta, rank, seq.
-- ARGV: job JSON, created (ms), job id, event JSON, stream maxlen, level index, lane, meta JSON, lane JSON.
-- LEVEL_SPAN: shared/src/scheduling/lanes.ts.
local seq = redis.call('INCR', KEYS[9])
local rank = string.format('%.0f', tonumber(ARGV[6]) * LEVEL_SPAN + seq)
local meta = cjson.decode(ARGV[8])
meta['seq'] = seq
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[4], rank, ARGV[3])
redis.call('ZADD', KEYS[5], rank, ARGV[3])
redis.call('HSET', KEYS[6], ARGV[7], ARGV[9])
redis.call('HSET', KEYS[7], ARGV[3], cjson.encode(meta))
redis.call('HSET', KEYS[8], ARGV[3], rank)
return redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*', 'e', ARGV[4])
