-- KEYS: the pools. ARGV: holder.
for _, key in ipairs(KEYS) do redis.call('ZREM', key, ARGV[1]) end return 1
