-- Takes a waiting job's ticket away (cancel, external removal). 1 when it was waiting. KEYS: pending, lane, passed. ARGV: id.
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return 1
