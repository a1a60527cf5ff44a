/*
 * The gallery index's writing scripts (layout 2; what they keep is described in gallery-index.ts, the
 * posting lists in gallery-postings.ts). Each runs as one command: a record and all of its index
 * entries change together or not at all. Every key a script touches is declared (KEYS), the posting
 * lists' too (postingKeys): no script builds a key name, as Redis Cluster requires.
 */
import { POSTINGS_LUA } from './gallery-postings.js';
import { LuaScript } from './lua-script.js';

// Header fields of a stored record (gallery-record.ts), shared by both scripts, and the index entries
// of one posting list: its keys are KEYS[at + 1 .. at + 3] (postingKeys), with the words and models
// sets the search and the model filter read.
const HEAD_LUA = `
local function head(raw)
  local a = string.find(raw, '\\0', 1, true)
  local b = a and string.find(raw, '\\0', a + 1, true)
  local c = b and string.find(raw, '\\0', b + 1, true)
  local d = c and string.find(raw, '\\0', c + 1, true)
  if not d then return nil end
  return tonumber(string.sub(raw, 1, a - 1)), string.sub(raw, a + 1, b - 1), string.sub(raw, c + 1, d - 1)
end
local function indexAdd(words, models, at, name, slot)
  local first = postAdd(KEYS[at + 1], KEYS[at + 2], KEYS[at + 3], name, slot)
  local kind = string.sub(name, 1, 2)
  if kind == 'w:' then
    if first then redis.call('ZADD', words, 0, string.sub(name, 3)) end
  elseif kind == 'm:' then
    redis.call('ZINCRBY', models, 1, string.sub(name, 3))
  end
end
local function indexDel(words, models, at, name, slot)
  local emptied = postDel(KEYS[at + 1], KEYS[at + 2], KEYS[at + 3], name, slot)
  local kind = string.sub(name, 1, 2)
  if kind == 'w:' then
    if emptied then redis.call('ZREM', words, string.sub(name, 3)) end
  elseif kind == 'm:' then
    local m = string.sub(name, 3)
    if tonumber(redis.call('ZINCRBY', models, -1, m)) <= 0 then redis.call('ZREM', models, m) end
  end
end
`;

/** The fixed keys of PUT_LUA, in order (gallery-index.ts sends them, then 3 per posting list). */
export const PUT_KEYS = 11;
/** The fixed keys of REMOVE_LUA, in order. */
export const REMOVE_KEYS = 9;

// KEYS: record, events, free, hwm, ids, time, size, names, gen, words, models, then three per posting
// list (the ones to drop, then the ones to add). ARGV: id, hash read by the caller ('' none), hash,
// signature, name key, body, time, size, event time ('' = no event), record JSON (for the event), maxlen,
// how many lists to drop, then the list names (drop…, add…).
// Returns {0 same content | 1 new | 2 changed | -1 read again, slot}.
export const PUT_LUA = new LuaScript(`${POSTINGS_LUA}${HEAD_LUA}
local id = ARGV[1]
local old = redis.call('GET', KEYS[1])
local slot, oldHash, oldName
if old then slot, oldHash, oldName = head(old) end
if (oldHash or '') ~= ARGV[2] then return {-1, 0} end
if slot and oldHash == ARGV[3] then
  -- The same asset seen again: no index entry moves and clients hear nothing. A record read from the
  -- file (it comes with a signature) replaces a producer's, which lacks the file's own facts.
  if ARGV[4] ~= '' then redis.call('SET', KEYS[1], slot .. '\\0' .. oldHash .. '\\0' .. ARGV[4] .. '\\0' .. oldName .. '\\0' .. ARGV[6]) end
  return {0, slot}
end
local fresh = slot == nil
if fresh then
  slot = redis.call('RPOP', KEYS[3])
  if slot then slot = tonumber(slot) else slot = redis.call('INCR', KEYS[4]) - 1 end
  redis.call('SETRANGE', KEYS[5], slot * 16, id)
end
redis.call('SET', KEYS[1], slot .. '\\0' .. ARGV[3] .. '\\0' .. ARGV[4] .. '\\0' .. ARGV[5] .. '\\0' .. ARGV[6])
redis.call('ZADD', KEYS[6], ARGV[7], slot)
redis.call('ZADD', KEYS[7], ARGV[8], slot)
if oldName ~= ARGV[5] then
  if oldName then redis.call('ZREM', KEYS[8], oldName .. '\\0' .. slot) end
  redis.call('ZADD', KEYS[8], 0, ARGV[5] .. '\\0' .. slot)
end
local nDrop, at = tonumber(ARGV[12]), ${PUT_KEYS}
for i = 13, #ARGV do
  if i - 12 <= nDrop then indexDel(KEYS[10], KEYS[11], at, ARGV[i], slot)
  else indexAdd(KEYS[10], KEYS[11], at, ARGV[i], slot) end
  at = at + 3
end
redis.call('INCR', KEYS[9])
if ARGV[9] ~= '' then
  local kind = fresh and 'asset.added' or 'asset.updated'
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[11], '*', 'e', '{"type":"' .. kind .. '","at":"' .. ARGV[9] .. '","data":' .. ARGV[10] .. '}')
end
if fresh then return {1, slot} end
return {2, slot}
`);

// KEYS: record, events, free, time, size, names, gen, words, models, then three per posting list of
// the record. ARGV: hash read by the caller, event json, maxlen, the list names.
// Returns 1 removed, 0 no record, -1 read again.
export const REMOVE_LUA = new LuaScript(`${POSTINGS_LUA}${HEAD_LUA}
local old = redis.call('GET', KEYS[1])
if not old then return 0 end
local slot, hash, name = head(old)
if (hash or '') ~= ARGV[1] then return -1 end
if slot then
  local at = ${REMOVE_KEYS}
  for i = 4, #ARGV do
    indexDel(KEYS[8], KEYS[9], at, ARGV[i], slot)
    at = at + 3
  end
  redis.call('ZREM', KEYS[4], slot)
  redis.call('ZREM', KEYS[5], slot)
  redis.call('ZREM', KEYS[6], name .. '\\0' .. slot)
  redis.call('LPUSH', KEYS[3], slot)
end
redis.call('DEL', KEYS[1])
redis.call('INCR', KEYS[7])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'e', ARGV[2])
return 1
`);

// KEYS: records. Returns the start of each (its header's slot, hash and signature), or false.
export const HEADS_LUA = new LuaScript(`
local out = {}
for i, k in ipairs(KEYS) do out[i] = redis.call('GETRANGE', k, 0, 95) end
return out
`);
