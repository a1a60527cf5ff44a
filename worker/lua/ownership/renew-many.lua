-- Renews every owner key still ours (KEYS, ARGV: worker id, ttl ms); returns the list of 1/0 per key.
local out = {}
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
    out[i] = 1
  else
    out[i] = 0
  end
end
return out
