-- Gives a job waiting in BullMQ without a ticket its ticket back: at its old rank, or (a job queued
-- before the scheduler knew it) at a new one with new metadata. KEYS: pending, lane, lanes, meta, rank, seq, claims.
-- ARGV: id, level index, lane, lane JSON, meta JSON. Returns the rank. LEVEL_SPAN: shared/src/scheduling/lanes.ts.
local rank = redis.call('HGET', KEYS[5], ARGV[1])
if not rank then
  local seq = redis.call('INCR', KEYS[6])
  rank = string.format('%.0f', tonumber(ARGV[2]) * LEVEL_SPAN + seq)
  redis.call('HSET', KEYS[5], ARGV[1], rank)
  local meta = cjson.decode(ARGV[5])
  meta['seq'] = seq
  redis.call('HSETNX', KEYS[4], ARGV[1], cjson.encode(meta))
end
redis.call('HSETNX', KEYS[3], ARGV[3], ARGV[4])
redis.call('HDEL', KEYS[7], ARGV[1])
redis.call('ZADD', KEYS[1], rank, ARGV[1])
redis.call('ZADD', KEYS[2], rank, ARGV[1])
return rank
