-- Appends one message: next sequence number, stored, the oldest dropped past the cap, the thread moved
-- to the top of its lists, and the event, atomically. The message JSON arrives without `seq` (only the
-- script knows it) and is spliced in as its first field.
-- KEYS: state, messages, threads, owner's threads (or threads again), events. ARGV: message JSON,
-- now (ms), cap, event JSON before the message, event JSON after it, stream maxlen, updatedAt, thread id.
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local msg = '{"seq":' .. seq .. ',' .. string.sub(ARGV[1], 2)
redis.call('HSET', KEYS[2], seq, msg)
local first = tonumber(redis.call('HGET', KEYS[1], 'first') or '1')
local cap = tonumber(ARGV[3])
if seq - first + 1 > cap then
  local keep = seq - cap + 1
  for s = first, keep - 1 do redis.call('HDEL', KEYS[2], s) end
  redis.call('HSET', KEYS[1], 'first', keep)
end
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[7])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[8])
if KEYS[4] ~= KEYS[3] then redis.call('ZADD', KEYS[4], ARGV[2], ARGV[8]) end
redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[6], '*', 'e', ARGV[4] .. msg .. ARGV[5])
return msg
