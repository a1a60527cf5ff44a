-- The name-ordered view of the matches query.lua handed over ('n'): KEYS view, its mark, the
-- generation; ARGV the generation it was asked at, ttl (ms), then the members (`<name>\0<slot>`).
-- Built only if the index has not changed since (returns 1), else 0 (ask again).
if (redis.call('GET', KEYS[3]) or '0') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
local batch = {}
for i = 3, #ARGV do
  batch[#batch + 1] = 0
  batch[#batch + 1] = ARGV[i]
  if #batch >= 1000 then
    redis.call('ZADD', KEYS[1], unpack(batch))
    batch = {}
  end
end
if #batch > 0 then redis.call('ZADD', KEYS[1], unpack(batch)) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return 1
