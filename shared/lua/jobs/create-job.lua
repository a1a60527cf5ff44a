-- Stores a new job, indexes it by creation time and appends its `job.queued` event, atomically. One
-- script rather than MULTI: one command on the wire, and no ioredis Pipeline object per call (that
-- constructor copies every script defined on the connection, and BullMQ defines dozens on it).
-- KEYS: job record, jobs by time, events. ARGV: job JSON, created (ms), job id, event JSON, stream maxlen.
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*', 'e', ARGV[4])
