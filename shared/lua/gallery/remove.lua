-- Removes a gallery record and its index entries. KEYS: record, events, free, time, size, names, gen,
-- words, models (REMOVE_KEYS of them), then three per posting list of the record. ARGV: hash read by
-- the caller, event json, maxlen, the list names. Returns 1 removed, 0 no record, -1 read again.
local old = redis.call('GET', KEYS[1])
if not old then return 0 end
local slot, hash, name = head(old)
if (hash or '') ~= ARGV[1] then return -1 end
if slot then
  local at = REMOVE_KEYS
  for i = 4, #ARGV do
    indexDel(KEYS[8], KEYS[9], at, ARGV[i], slot)
    at = at + 3
  end
  redis.call('ZREM', KEYS[4], slot)
  redis.call('ZREM', KEYS[5], slot)
  redis.call('ZREM', KEYS[6], name .. '\0' .. slot)
  redis.call('LPUSH', KEYS[3], slot)
end
redis.call('DEL', KEYS[1])
redis.call('INCR', KEYS[7])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'e', ARGV[2])
return 1
