-- Extends a lock held with a token: KEYS[1] gets ARGV[2] ms more only while it still holds ARGV[1]. 1 when renewed.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0
