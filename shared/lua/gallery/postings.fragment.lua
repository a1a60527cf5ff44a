-- Fragment (gallery-postings.ts says how the lists are kept): the posting-list functions shared by the
-- gallery's writers (put.lua, remove.lua) and its query (server/lua/gallery/query.lua), so both read the
-- tiers the same way. Every function takes the list's keys as its caller declared them (postingKeys):
-- no script builds a key name. RARE_MAX, SET_MAX: constants from gallery-postings.ts.
local function pack4(n)
  return string.char(math.floor(n / 16777216) % 256, math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
end
local function slotsOf(packed)
  local out = {}
  for i = 1, #packed, 4 do
    local a, b, c, d = string.byte(packed, i, i + 3)
    out[#out + 1] = ((a * 256 + b) * 256 + c) * 256 + d
  end
  return out
end

-- A list's keys, as the caller declared them (postingKeys): its bucket HASH, its SET, its bitmap.
-- Adds slot to the list; true when the list was empty before.
local function postAdd(bucket, set, bits, name, slot)
  local packed = redis.call('HGET', bucket, name)
  if packed == 'b' then
    redis.call('SETBIT', bits, slot, 1)
    return false
  end
  if packed == 's' then
    if redis.call('SADD', set, slot) == 1 and redis.call('SCARD', set) > SET_MAX then
      for _, m in ipairs(redis.call('SMEMBERS', set)) do redis.call('SETBIT', bits, m, 1) end
      redis.call('DEL', set)
      redis.call('HSET', bucket, name, 'b')
    end
    return false
  end
  if not packed then
    redis.call('HSET', bucket, name, pack4(slot))
    return true
  end
  local slots = slotsOf(packed)
  for _, s in ipairs(slots) do
    if s == slot then return false end
  end
  if #slots < RARE_MAX then
    redis.call('HSET', bucket, name, packed .. pack4(slot))
  else
    slots[#slots + 1] = slot
    redis.call('SADD', set, unpack(slots))
    redis.call('HSET', bucket, name, 's')
  end
  return false
end

-- Removes slot from the list; true when that emptied it.
local function postDel(bucket, set, bits, name, slot)
  local packed = redis.call('HGET', bucket, name)
  if not packed then return false end
  if packed == 'b' then
    if redis.call('SETBIT', bits, slot, 0) == 1 and redis.call('BITCOUNT', bits) == 0 then
      redis.call('DEL', bits)
      redis.call('HDEL', bucket, name)
      return true
    end
    return false
  end
  if packed == 's' then
    if redis.call('SREM', set, slot) == 1 and redis.call('EXISTS', set) == 0 then
      redis.call('HDEL', bucket, name)
      return true
    end
    return false
  end
  local mine, keep = pack4(slot), {}
  for i = 1, #packed, 4 do
    local p = string.sub(packed, i, i + 3)
    if p ~= mine then keep[#keep + 1] = p end
  end
  if #keep == 0 then
    redis.call('HDEL', bucket, name)
    return true
  end
  redis.call('HSET', bucket, name, table.concat(keep))
  return false
end

-- A list for a query: returns its own bitmap key when it is kept as one; else sets its slots in the
-- bitmap into (created if need be) and returns nil. found is false for an empty list.
local function postInto(bucket, set, bits, name, into)
  local packed = redis.call('HGET', bucket, name)
  if not packed then return nil, false end
  if packed == 'b' then return bits, true end
  local slots = packed == 's' and redis.call('SMEMBERS', set) or slotsOf(packed)
  for _, s in ipairs(slots) do redis.call('SETBIT', into, s, 1) end
  return nil, true
end
