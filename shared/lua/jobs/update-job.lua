-- Stores the new job and appends its event, unless the stored job already reached a final status
-- (a late progress update must never resurrect a cancelled job). Returns the event id, or 0 when
-- the job is missing, or 1 when it is final. Sent by its SHA: workers run it for every progress step.
-- KEYS: job record, events. ARGV: job JSON, event JSON, stream maxlen.
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
local st = cjson.decode(cur)['status']
if st == 'completed' or st == 'failed' or st == 'cancelled' then return 1 end
redis.call('SET', KEYS[1], ARGV[1])
return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'e', ARGV[2])
