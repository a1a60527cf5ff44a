import { LuaScript } from '@orchestrator/shared';

/**
 * One gallery page in one round trip. ARGV[1] is a JSON spec (see GalleryQuery.plan):
 *
 * 1. When `dest` is set, the filtered, sorted result is materialised there unless it was already built
 *    at the current index generation: ZINTERSTORE of the sort order (`base`, weight 1) with the filter
 *    sets (weight 0); the search prefix becomes a ZUNIONSTORE of the matching words' sets; a date range
 *    under another sort becomes a ZRANGESTORE of the time order. With no `base` (date order) every set
 *    is already scored by time, so they intersect with AGGREGATE MAX. The result lives `ttl` ms.
 * 2. The page: by `offset` (rank, random access) or from the score bound `a` skipping `skip` items
 *    (first page and cursors), one item more than asked to know whether there is a next page.
 * 3. The next cursor, exact even among equal scores: the last item's score and how many items with that
 *    score come up to and including it.
 *
 * Returns [total, nextScore | '', nextSkip, id1, score1, id2, score2, …].
 */
export const QUERY_SCRIPT = new LuaScript(`
local s = cjson.decode(ARGV[1])
local src = s.src
if s.dest ~= '' then
  local gen = redis.call('GET', s.gen) or '0'
  if redis.call('GET', s.mark) ~= gen or redis.call('EXISTS', s.dest) == 0 then
    local keys, weights, tmp = {}, {}, {}
    local other = 1
    if s.base ~= '' then keys[1] = s.base; weights[1] = 1; other = 0 end
    for _, k in ipairs(s.sets) do keys[#keys + 1] = k; weights[#weights + 1] = other end
    local empty = false
    if s.prefix ~= '' then
      local words = redis.call('ZRANGEBYLEX', s.dict, '[' .. s.prefix, '[' .. s.prefix .. '\\255', 'LIMIT', 0, s.maxExpand + 1)
      if #words == 0 then
        empty = true
      elseif #words > s.maxExpand then
        keys[#keys + 1] = s.wordKey .. s.prefix; weights[#weights + 1] = other
      else
        local u = s.dest .. ':u'
        local args = {u, #words}
        for _, w in ipairs(words) do args[#args + 1] = s.wordKey .. w end
        args[#args + 1] = 'AGGREGATE'; args[#args + 1] = 'MAX'
        redis.call('ZUNIONSTORE', unpack(args))
        keys[#keys + 1] = u; weights[#weights + 1] = other; tmp[#tmp + 1] = u
      end
    end
    if s.from ~= '' then
      local d = s.dest .. ':d'
      redis.call('ZRANGESTORE', d, s.time, s.from, s.to, 'BYSCORE')
      keys[#keys + 1] = d; weights[#weights + 1] = 0; tmp[#tmp + 1] = d
    end
    if empty then
      redis.call('DEL', s.dest)
    elseif #keys == 1 and keys[1] == tmp[1] then
      redis.call('RENAME', keys[1], s.dest)
      tmp = {}
    else
      local args = {s.dest, #keys}
      for _, k in ipairs(keys) do args[#args + 1] = k end
      args[#args + 1] = 'WEIGHTS'
      for _, w in ipairs(weights) do args[#args + 1] = w end
      args[#args + 1] = 'AGGREGATE'; args[#args + 1] = (s.base ~= '') and 'SUM' or 'MAX'
      redis.call('ZINTERSTORE', unpack(args))
    end
    for _, k in ipairs(tmp) do redis.call('DEL', k) end
    redis.call('SET', s.mark, gen, 'PX', s.ttl)
  end
  redis.call('PEXPIRE', s.dest, s.ttl)
  src = s.dest
end

local desc = s.order == 'desc'
local total = redis.call('ZCOUNT', src, s.lo, s.hi)
local rows = {}
if s.offset >= 0 then
  local before = 0
  if desc and s.hi ~= '+inf' then before = redis.call('ZCOUNT', src, '(' .. s.hi, '+inf') end
  if (not desc) and s.lo ~= '-inf' then before = redis.call('ZCOUNT', src, '-inf', '(' .. s.lo) end
  local n = math.min(s.limit + 1, total - s.offset)
  if n > 0 then
    local a = before + s.offset
    rows = redis.call(desc and 'ZREVRANGE' or 'ZRANGE', src, a, a + n - 1, 'WITHSCORES')
  end
elseif desc then
  rows = redis.call('ZREVRANGEBYSCORE', src, s.a, s.lo, 'WITHSCORES', 'LIMIT', s.skip, s.limit + 1)
else
  rows = redis.call('ZRANGEBYSCORE', src, s.a, s.hi, 'WITHSCORES', 'LIMIT', s.skip, s.limit + 1)
end

local count = #rows / 2
local nextScore, nextSkip = '', 0
if count > s.limit then
  local lastId, lastScore = rows[s.limit * 2 - 1], rows[s.limit * 2]
  local rank, ahead
  if desc then
    rank = redis.call('ZREVRANK', src, lastId)
    ahead = redis.call('ZCOUNT', src, '(' .. lastScore, '+inf')
  else
    rank = redis.call('ZRANK', src, lastId)
    ahead = redis.call('ZCOUNT', src, '-inf', '(' .. lastScore)
  end
  nextScore = lastScore
  nextSkip = rank - ahead + 1
end
local out = {total, nextScore, nextSkip}
for i = 1, math.min(count, s.limit) * 2 do out[#out + 1] = rows[i] end
return out
`);
