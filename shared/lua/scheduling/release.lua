-- Puts a ticket back at the job's rank. With a claimer, only while the claim is still that claimer's
-- (nobody popped the job meanwhile), and the claimer's lane lock goes; '*' puts it back regardless
-- (a job handed back to the queue). KEYS: pending, lane, claims, rank, lane lock. ARGV: id, claimer or '*', wake channel.
if ARGV[2] ~= '*' then
  if redis.call('GET', KEYS[5]) == ARGV[2] then
    redis.call('DEL', KEYS[5])
    redis.call('PUBLISH', ARGV[3], 'free')
  end
  local cur = redis.call('HGET', KEYS[3], ARGV[1])
  if not cur or string.sub(cur, 1, #ARGV[2] + 1) ~= ARGV[2] .. '|' then return 0 end
end
local rank = redis.call('HGET', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
if not rank then return 0 end
redis.call('ZADD', KEYS[1], rank, ARGV[1])
redis.call('ZADD', KEYS[2], rank, ARGV[1])
return 1
