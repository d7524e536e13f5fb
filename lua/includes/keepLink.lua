--[[
  Keeps an existing link on its pod and applies the caller's persistence the way
  setLinkedPodIfAbsent does: '-1' makes it persistent (the user came back within the grace
  period); a TTL refreshes a temporary link and leaves a persistent one as it is.
]]
local function keepLink(linkKey, userKey, service, podId, persistSeconds)
  if persistSeconds == '-1' then
    redis.call('HSET', userKey, service, podId)
    redis.call('PERSIST', linkKey)
  elseif redis.call('PTTL', linkKey) >= 0 then
    redis.call('EXPIRE', linkKey, persistSeconds)
  end
end
