-- KEYS: pending, passed, claims, then n lane ZSETs, then their n lane locks. ARGV: now, max affinity
-- wait, index of the loaded model's lane among the lanes (0: none), claimer, lock ttl, n.
-- Returns {job id, lane index, rank}, {'busy'} while the chosen lane's lock is held, or false.
-- A lane's lock is held from a claim to its take: one pop at a time per lane, so BullMQ hands out a
-- lane's jobs in the order their tickets were claimed.
local span = LEVEL_SPAN
local n = tonumber(ARGV[6])
local best, bestRank, bestLane
for i = 1, n do
  local head = redis.call('ZRANGE', KEYS[3 + i], 0, 0, 'WITHSCORES')
  if head[1] then
    local r = tonumber(head[2])
    if not bestRank or r < bestRank then best, bestRank, bestLane = head[1], r, i end
  end
end
if not best then return false end
local choice, choiceRank, choiceLane = best, bestRank, bestLane
local loaded = tonumber(ARGV[3])
if loaded > 0 and loaded ~= bestLane and bestRank >= 0 then
  local head = redis.call('ZRANGE', KEYS[3 + loaded], 0, 0, 'WITHSCORES')
  if head[1] and math.floor(tonumber(head[2]) / span) == math.floor(bestRank / span) then
    local now = tonumber(ARGV[1])
    local since = tonumber(redis.call('HGET', KEYS[2], best))
    if not since then
      since = now
      redis.call('HSET', KEYS[2], best, now)
    end
    if now - since < tonumber(ARGV[2]) then choice, choiceRank, choiceLane = head[1], tonumber(head[2]), loaded end
  end
end
local lock = KEYS[3 + n + choiceLane]
if redis.call('SET', lock, ARGV[4], 'PX', ARGV[5], 'NX') == false then return {'busy'} end
redis.call('ZREM', KEYS[3 + choiceLane], choice)
redis.call('ZREM', KEYS[1], choice)
redis.call('HDEL', KEYS[2], choice)
redis.call('HSET', KEYS[3], choice, ARGV[4] .. '|' .. ARGV[1])
return {choice, choiceLane, string.format('%.0f', choiceRank)}
