/*
 * The gallery's posting lists in Redis: for each type, model, owner and search word, the slots of the
 * assets that have it (`t:image`, `m:<model>`, `o:<user>`, `w:<word>`). A list is kept in the cheapest
 * form for its length, and moves up as it grows:
 *
 *   - up to RARE_MAX slots: packed (4 bytes each) in its field of one of BUCKETS shared HASHes
 *     (`pr:<n>`), so the million words seen once or twice (seeds, counters in file names) cost a
 *     listpack entry each, not a key each;
 *   - up to SET_MAX slots: a SET of slots (`ps:<name>`; an intset up to 512, compact);
 *   - beyond: a bitmap over all slots (`pb:<name>`): a word in 3% of a million assets costs 125 KB
 *     instead of the ~4 MB a sorted set took.
 *
 * The bucket field of a list moved up holds a one-byte marker ('s' or 'b') instead of slots, so one
 * HGET tells where any list is: adding a slot costs two or three Redis calls. A list never moves down
 * (a bitmap or set that empties is deleted, and its marker with it).
 *
 * Queries turn every list they use into a bitmap (BITOP AND / OR), so filters and searches intersect at
 * memory speed; the order of a page comes from the sorted sets of slots (time, size, name). Lua, shared
 * by the writers (gallery-index.ts) and the query (server/src/gallery/query-script.ts), so both read
 * the tiers the same way. Every function takes the list's keys as its caller declared them
 * (postingKeys): no script builds a key name (Redis Cluster).
 */

export const RARE_MAX = 15;
export const SET_MAX = 2048;
export const BUCKETS = 16384;

/** The bucket of a posting list (which `pr:<n>` HASH holds it while it is short): djb2 over its UTF-8 bytes. */
export function postingBucket(name: string): number {
  let h = 5381;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x80) h = (h * 33 + c) % 16777216;
    else {
      for (const byte of Buffer.from(name.slice(i), 'utf8')) h = (h * 33 + byte) % 16777216;
      break;
    }
  }
  return h % BUCKETS;
}

/**
 * The three keys a posting list may live in — its bucket HASH, its SET, its bitmap — in the order the
 * Lua functions below take them. Scripts get them declared (KEYS), never build them (Redis Cluster).
 */
export function postingKeys(index: string, name: string): [bucket: string, set: string, bits: string] {
  return [`${index}pr:${postingBucket(name)}`, `${index}ps:${name}`, `${index}pb:${name}`];
}

export const POSTINGS_LUA = `
local RARE_MAX, SET_MAX = ${RARE_MAX}, ${SET_MAX}
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
`;
