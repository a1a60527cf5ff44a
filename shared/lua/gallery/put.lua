-- Stores a gallery record and its index entries (layout 2, gallery-index.ts), as one command.
-- KEYS: record, events, free, hwm, ids, time, size, names, gen, words, models (PUT_KEYS of them), then
-- three per posting list (the ones to drop, then the ones to add). ARGV: id, hash read by the caller
-- ('' none), hash, signature, name key, body, time, size, event time ('' = no event), record JSON (for
-- the event), maxlen, how many lists to drop, then the list names (drop…, add…).
-- Returns {0 same content | 1 new | 2 changed | -1 read again, slot}.
local id = ARGV[1]
local old = redis.call('GET', KEYS[1])
local slot, oldHash, oldName
if old then slot, oldHash, oldName = head(old) end
if (oldHash or '') ~= ARGV[2] then return {-1, 0} end
if slot and oldHash == ARGV[3] then
  -- The same asset seen again: no index entry moves and clients hear nothing. A record read from the
  -- file (it comes with a signature) replaces a producer's, which lacks the file's own facts.
  if ARGV[4] ~= '' then redis.call('SET', KEYS[1], slot .. '\0' .. oldHash .. '\0' .. ARGV[4] .. '\0' .. oldName .. '\0' .. ARGV[6]) end
  return {0, slot}
end
local fresh = slot == nil
if fresh then
  slot = redis.call('RPOP', KEYS[3])
  if slot then slot = tonumber(slot) else slot = redis.call('INCR', KEYS[4]) - 1 end
  redis.call('SETRANGE', KEYS[5], slot * 16, id)
end
redis.call('SET', KEYS[1], slot .. '\0' .. ARGV[3] .. '\0' .. ARGV[4] .. '\0' .. ARGV[5] .. '\0' .. ARGV[6])
redis.call('ZADD', KEYS[6], ARGV[7], slot)
redis.call('ZADD', KEYS[7], ARGV[8], slot)
if oldName ~= ARGV[5] then
  if oldName then redis.call('ZREM', KEYS[8], oldName .. '\0' .. slot) end
  redis.call('ZADD', KEYS[8], 0, ARGV[5] .. '\0' .. slot)
end
local nDrop, at = tonumber(ARGV[12]), PUT_KEYS
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
