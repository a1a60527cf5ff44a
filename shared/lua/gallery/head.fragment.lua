-- Fragment (gallery-index-scripts.ts): header fields of a stored record (gallery-record.ts), shared by
-- put.lua and remove.lua, and the index entries of one posting list: its keys are KEYS[at + 1 .. at + 3]
-- (postingKeys), with the words and models sets the search and the model filter read. Needs postings.fragment.lua.
local function head(raw)
  local a = string.find(raw, '\0', 1, true)
  local b = a and string.find(raw, '\0', a + 1, true)
  local c = b and string.find(raw, '\0', b + 1, true)
  local d = c and string.find(raw, '\0', c + 1, true)
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
