-- A page of a plain sorted set of ids scored by time (the trash), newest first: by `offset` (rank) or
-- from the score bound `a` skipping `skip` items (cursors), one item more than asked to know whether
-- there is a next page. KEYS[1] is the set. Returns [total, nextScore | '', nextSkip, id1, score1, …].
local s = cjson.decode(ARGV[1])
local src = KEYS[1]
local total = redis.call('ZCARD', src)
local rows = {}
if s.offset >= 0 then
  local n = math.min(s.limit + 1, total - s.offset)
  if n > 0 then rows = redis.call('ZREVRANGE', src, s.offset, s.offset + n - 1, 'WITHSCORES') end
else
  rows = redis.call('ZREVRANGEBYSCORE', src, s.a, '-inf', 'WITHSCORES', 'LIMIT', s.skip, s.limit + 1)
end
local count = #rows / 2
local nextScore, nextSkip = '', 0
if count > s.limit then
  local lastId, lastScore = rows[s.limit * 2 - 1], rows[s.limit * 2]
  nextScore = lastScore
  nextSkip = redis.call('ZREVRANK', src, lastId) - redis.call('ZCOUNT', src, '(' .. lastScore, '+inf') + 1
end
local out = {total, nextScore, nextSkip}
for i = 1, math.min(count, s.limit) * 2 do out[#out + 1] = rows[i] end
return out
