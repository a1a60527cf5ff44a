-- Numbers new jobs #n, #n+1… in the thread and remembers them as its last batch.
-- KEYS: state, jobs. ARGV: last batch JSON, then the job ids.
local out = {}
for i = 2, #ARGV do
  local n = redis.call('HINCRBY', KEYS[1], 'jobs', 1)
  redis.call('HSET', KEYS[2], n, ARGV[i])
  out[#out + 1] = n
end
redis.call('HSET', KEYS[1], 'lastBatch', ARGV[1])
return out
