-- A job BullMQ gave this holder: its ticket (if still there) is spent, the claim is the holder's, the
-- holder's in-flight record names it, the start log has it (unless adopted: it started before), and
-- the lane's lock is free again (announced on the wake channel). KEYS: pending, lane, claims, passed,
-- inflight, started, lane lock. ARGV: id, claimer, entry, started-log cap or 0, now, wake channel.
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2] .. '|' .. ARGV[5])
redis.call('HSET', KEYS[5], ARGV[1], ARGV[3])
local cap = tonumber(ARGV[4])
if cap > 0 then
  redis.call('RPUSH', KEYS[6], ARGV[1])
  redis.call('LTRIM', KEYS[6], -cap, -1)
end
if redis.call('GET', KEYS[7]) == ARGV[2] then
  redis.call('DEL', KEYS[7])
  redis.call('PUBLISH', ARGV[6], 'free')
end
return 1
