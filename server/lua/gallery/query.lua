-- One gallery page (server/src/gallery/query-script.ts says how). KEYS: the QUERY_KEYS fixed ones
-- (generation, slot ids, date order, the page's order, the cached bitmap F and its mark, the view and
-- its mark, a scratch bitmap for the search words), then four per filter list (a scratch bitmap, then
-- postingKeys) and three per search word. ARGV[1]: a JSON spec (GalleryQuery.list).
local s = cjson.decode(ARGV[1])
local genKey, idsKey, timeKey, base = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local fkey, fmark, vkey, vmark, ukey = KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local desc = s.order == 'desc'
local byName = s.sort == 'name'
local dated = s.lo ~= '-inf' or s.hi ~= '+inf'
local loN = s.lo == '-inf' and -math.huge or tonumber(s.lo)
local hiN = s.hi == '+inf' and math.huge or tonumber(s.hi)
local gen = redis.call('GET', genKey) or '0'
-- Search words are read by the caller: cache nothing built from a list older than the index.
local current = (not s.hasPrefix) or gen == s.gen
local want = s.limit + 1
local band = bit.band
local MASK = {[0] = 128, 64, 32, 16, 8, 4, 2, 1}

local function slotOf(member)
  if byName then return tonumber(string.match(member, '%z(%d+)$')) end
  return tonumber(member)
end

local function hasBit(Fs, slot)
  local b = string.byte(Fs, math.floor(slot / 8) + 1)
  return b ~= nil and band(b, MASK[slot % 8]) ~= 0
end

local function eachSlot(Fs, fn)
  local pos = 1
  while true do
    local i = string.find(Fs, '[^%z]', pos)
    if not i then return end
    local b, at = string.byte(Fs, i), (i - 1) * 8
    for k = 0, 7 do
      if band(b, MASK[k]) ~= 0 then fn(at + k) end
    end
    pos = i + 1
  end
end

-- 1. The filter bitmap and its count (nil, nil: no filter).
local function filterBitmap()
  if #s.filters == 0 and not s.hasPrefix then return nil, nil end
  local mark = redis.call('GET', fmark)
  if mark then
    local g, m = string.match(mark, '^(%d+):(%d+)$')
    if g == gen and (m == '0' or redis.call('EXISTS', fkey) == 1) then
      redis.call('PEXPIRE', fkey, s.ttl)
      redis.call('PEXPIRE', fmark, s.ttl)
      return fkey, tonumber(m)
    end
  end
  local keys, tmps, empty = {}, {}, false
  for i, name in ipairs(s.filters) do
    local at = QUERY_KEYS + (i - 1) * 4
    local into = KEYS[at + 1]
    redis.call('DEL', into)
    local own, found = postInto(KEYS[at + 2], KEYS[at + 3], KEYS[at + 4], name, into)
    if not found then empty = true; break end
    if own then keys[#keys + 1] = own else keys[#keys + 1] = into; tmps[#tmps + 1] = into end
  end
  if not empty and s.hasPrefix then
    redis.call('DEL', ukey)
    local ors, at = {}, QUERY_KEYS + #s.filters * 4
    for _, w in ipairs(s.words) do
      local own = postInto(KEYS[at + 1], KEYS[at + 2], KEYS[at + 3], 'w:' .. w, ukey)
      if own then ors[#ors + 1] = own end
      at = at + 3
    end
    if #ors > 0 then redis.call('BITOP', 'OR', ukey, ukey, unpack(ors)) end
    tmps[#tmps + 1] = ukey
    if redis.call('EXISTS', ukey) == 0 then empty = true else keys[#keys + 1] = ukey end
  end
  local F, M = nil, 0
  if not empty then
    if #keys == 1 and #tmps == 0 then
      F = keys[1]
    else
      redis.call('BITOP', 'AND', fkey, unpack(keys))
      redis.call('PEXPIRE', fkey, s.ttl)
      F = fkey
    end
    M = redis.call('BITCOUNT', F)
  end
  for _, k in ipairs(tmps) do redis.call('DEL', k) end
  if M == 0 then F = nil end
  if current and (F == nil or F == fkey) then redis.call('SET', fmark, gen .. ':' .. M, 'PX', s.ttl) end
  return F, M
end

local function idOf(slot)
  return redis.call('GETRANGE', idsKey, slot * 16, slot * 16 + 15)
end

-- The page: its total and cursor, then the ids of its items (the caller reads their records).
local function reply(total, kind, c1, c2, members)
  local out = {total, kind, c1, c2}
  for i = 1, math.min(#members, s.limit) do out[#out + 1] = idOf(slotOf(members[i])) end
  return out
end

-- 2a. A page of a sorted set of slots that holds exactly the view (or the base order within lo..hi).
local function scorePage(src, lo, hi)
  local total = redis.call('ZCOUNT', src, lo, hi)
  local rows = {}
  if s.offset >= 0 then
    local before = 0
    if desc and hi ~= '+inf' then before = redis.call('ZCOUNT', src, '(' .. hi, '+inf') end
    if (not desc) and lo ~= '-inf' then before = redis.call('ZCOUNT', src, '-inf', '(' .. lo) end
    local n = math.min(want, total - s.offset)
    if n > 0 then
      local a = before + s.offset
      rows = redis.call(desc and 'ZREVRANGE' or 'ZRANGE', src, a, a + n - 1, 'WITHSCORES')
    end
  else
    local a, skip = desc and hi or lo, 0
    if s.cursor then
      skip = s.cursor.skip
      if desc then a = (hi == '+inf' or s.cursor.score < hiN) and s.cursor.score or hi
      else a = (lo == '-inf' or s.cursor.score > loN) and s.cursor.score or lo end
    end
    if desc then rows = redis.call('ZREVRANGEBYSCORE', src, a, lo, 'WITHSCORES', 'LIMIT', skip, want)
    else rows = redis.call('ZRANGEBYSCORE', src, a, hi, 'WITHSCORES', 'LIMIT', skip, want) end
  end
  local members = {}
  for i = 1, #rows, 2 do members[#members + 1] = rows[i] end
  if #members <= s.limit then return reply(total, '', '', '', members) end
  local lastId, lastScore = rows[s.limit * 2 - 1], rows[s.limit * 2]
  local rank, ahead
  if desc then
    rank = redis.call('ZREVRANK', src, lastId)
    ahead = redis.call('ZCOUNT', src, '(' .. lastScore, '+inf')
  else
    rank = redis.call('ZRANK', src, lastId)
    ahead = redis.call('ZCOUNT', src, '-inf', '(' .. lastScore)
  end
  return reply(total, 's', lastScore, rank - ahead + 1, members)
end

-- 2a'. The same for a set ordered by name (members '<name>\0<slot>', all scores 0).
local function namePage(src)
  local total = redis.call('ZCARD', src)
  local rows = {}
  if s.offset >= 0 then
    if s.offset < total then rows = redis.call(desc and 'ZREVRANGE' or 'ZRANGE', src, s.offset, s.offset + want - 1) end
  elseif s.cursor then
    if desc then rows = redis.call('ZREVRANGEBYLEX', src, '(' .. s.cursor.member, '-', 'LIMIT', 0, want)
    else rows = redis.call('ZRANGEBYLEX', src, '(' .. s.cursor.member, '+', 'LIMIT', 0, want) end
  else
    rows = redis.call(desc and 'ZREVRANGE' or 'ZRANGE', src, 0, want - 1)
  end
  if #rows <= s.limit then return reply(total, '', '', '', rows) end
  return reply(total, 'm', rows[s.limit], '', rows)
end

local function page(src, lo, hi)
  if byName then return namePage(src) end
  return scorePage(src, lo, hi)
end

-- 2b. The walk: the base order from the page's start, keeping F's slots. Members only (scores are
-- read for the matches alone: formatting every score costs more than the bit test). expect is the
-- estimated number of reads, the first chunk's size. nil when it read past budget.
local function walk(Fs, budget, expect)
  local r, skipAll, eqScore, skipEq = 0, math.max(s.offset, 0), nil, 0
  if s.cursor then
    if byName then
      if desc then r = redis.call('ZLEXCOUNT', base, '[' .. s.cursor.member, '+')
      else r = redis.call('ZLEXCOUNT', base, '-', '[' .. s.cursor.member) end
    else
      eqScore, skipEq = s.cursor.score, s.cursor.skip
      if desc then r = redis.call('ZCOUNT', base, '(' .. eqScore, '+inf')
      else r = redis.call('ZCOUNT', base, '-inf', '(' .. eqScore) end
    end
  end
  local out, scores, runs = {}, {}, {}
  local runScore, runCount, read = nil, 0, 0
  local chunk = math.min(4096, math.max(128, math.ceil(expect * 1.2)))
  local cmd = desc and 'ZREVRANGE' or 'ZRANGE'
  while true do
    local rows = redis.call(cmd, base, r, r + chunk - 1)
    if #rows == 0 then return out, scores, runs end
    for i = 1, #rows do
      local member = rows[i]
      if hasBit(Fs, slotOf(member)) then
        local score = nil
        if not byName then
          score = tonumber(redis.call('ZSCORE', base, member))
          if score == runScore then runCount = runCount + 1 else runScore, runCount = score, 1 end
        end
        if eqScore ~= nil and score == eqScore and runCount <= skipEq then
          -- served on an earlier page
        elseif skipAll > 0 then
          skipAll = skipAll - 1
        else
          out[#out + 1], scores[#scores + 1], runs[#runs + 1] = member, score, runCount
          if #out == want then return out, scores, runs end
        end
      end
    end
    r = r + #rows
    read = read + #rows
    if read >= budget then return nil end
    if chunk < 4096 then chunk = chunk * 2 end
  end
end

-- 2c. The view: the matching slots with their sort scores in a sorted set. They are read from F's bits,
-- from the time range, or from the whole order, whichever costs least (a rough count of calls). Under
-- name order, F's bits give slots without their names (those are in the records): that route hands the
-- slots and their ids to the caller instead (returns them; nil when the view was built here).
local function inTime(slot)
  local t = tonumber(redis.call('ZSCORE', timeKey, slot))
  return t ~= nil and t >= loN and t <= hiN
end

local function materialize(Fs, M)
  local batch, named = {}, {}
  local function flush()
    if #batch > 0 then redis.call('ZADD', vkey, unpack(batch)) end
    batch = {}
  end
  local function push(score, member)
    batch[#batch + 1] = score
    batch[#batch + 1] = member
    if #batch >= 1000 then flush() end
  end
  local function add(slot, t)
    if byName then
      named[#named + 1] = slot
      named[#named + 1] = idOf(slot)
    elseif s.sort == 'date' then
      push(t, slot)
    else
      push(redis.call('ZSCORE', base, slot), slot)
    end
  end
  local perItem = byName and 4 or (s.sort == 'date' and 1 or 2)
  local inRange = dated and redis.call('ZCOUNT', timeKey, s.lo, s.hi) or nil
  local costBits = Fs and M * (perItem + 1) or math.huge
  local costRange = inRange and inRange * (s.sort == 'date' and 0.5 or perItem) or math.huge
  local costAll = (Fs and not dated) and redis.call('ZCARD', base) * 0.5 or math.huge
  -- The caller could not build a name view (the index kept changing): the whole name order, here.
  if byName and not s.nameRoute then costBits, costRange, costAll = math.huge, math.huge, 0 end
  redis.call('DEL', vkey)
  if costBits <= costRange and costBits <= costAll then
    eachSlot(Fs, function(slot)
      local t = nil
      if dated or s.sort == 'date' then
        t = tonumber(redis.call('ZSCORE', timeKey, slot))
        if t == nil or t < loN or t > hiN then return end
      end
      add(slot, t)
    end)
  elseif costRange <= costAll then
    local r = redis.call('ZCOUNT', timeKey, '-inf', '(' .. s.lo)
    local left = inRange
    while left > 0 do
      local rows = redis.call('ZRANGE', timeKey, r, r + math.min(left, 2000) - 1, 'WITHSCORES')
      if #rows == 0 then break end
      for i = 1, #rows, 2 do
        local slot = tonumber(rows[i])
        if Fs == nil or hasBit(Fs, slot) then add(slot, tonumber(rows[i + 1])) end
      end
      r = r + #rows / 2
      left = left - #rows / 2
    end
  else
    -- A common filter, no range: the whole order, keeping F's slots with the scores it already has.
    local r = 0
    while true do
      local rows = byName and redis.call('ZRANGE', base, r, r + 1999) or redis.call('ZRANGE', base, r, r + 1999, 'WITHSCORES')
      if #rows == 0 then break end
      local step = byName and 1 or 2
      for i = 1, #rows, step do
        local slot = slotOf(rows[i])
        if (Fs == nil or hasBit(Fs, slot)) and (not dated or inTime(slot)) then push(byName and 0 or rows[i + 1], rows[i]) end
      end
      r = r + #rows / step
    end
  end
  if #named > 0 then return named end
  flush()
  redis.call('PEXPIRE', vkey, s.ttl)
  if current then redis.call('SET', vmark, gen, 'PX', s.ttl) end
  return nil
end

if not current and s.retry then return {'g'} end
local F, M = filterBitmap()
if M == 0 then return {0, '', '', ''} end
local predicate = dated and s.sort ~= 'date'
if F == nil and not predicate then return page(base, s.lo, s.hi) end
if redis.call('GET', vmark) == gen and redis.call('EXISTS', vkey) == 1 then
  redis.call('PEXPIRE', vkey, s.ttl)
  redis.call('PEXPIRE', vmark, s.ttl)
  return page(vkey, '-inf', '+inf')
end
local Fs = F and redis.call('GET', F)
if F and not dated then
  local n = redis.call('ZCARD', base)
  local reads = (math.max(s.offset, 0) + want) * n / M
  if reads <= s.walkMax then
    local out, scores, runs = walk(Fs, 2 * s.walkMax, reads)
    if out then
      if #out <= s.limit then return reply(M, '', '', '', out) end
      if byName then return reply(M, 'm', out[s.limit], '', out) end
      return reply(M, 's', string.format('%.17g', scores[s.limit]), runs[s.limit], out)
    end
  end
end
local named = materialize(Fs, M)
if named then
  local out = {'n', gen}
  for _, v in ipairs(named) do out[#out + 1] = v end
  return out
end
return page(vkey, '-inf', '+inf')
