-- Re-ranks a waiting job: ARGV[2] is the new rank, or 'front'. KEYS: pending, lane, rank, front counter.
-- ARGV: id, rank or 'front', base of the front ranks. Returns the new rank, or false when the job is not waiting.
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return false end
local rank = ARGV[2]
if rank == 'front' then rank = string.format('%.0f', tonumber(ARGV[3]) + redis.call('INCR', KEYS[4])) end
redis.call('ZADD', KEYS[1], rank, ARGV[1])
redis.call('ZADD', KEYS[2], rank, ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], rank)
return rank
