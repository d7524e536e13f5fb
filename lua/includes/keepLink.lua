--[[
  Keeps an existing link on its pod and applies the caller's persistence the way
  setLinkedPodIfAbsent does: '-1' makes it persistent (the user came back within the grace
  period); a TTL refreshes a temporary link and leaves a persistent one as it is. The epoch key
  follows; a link without an epoch of its pod (written by an original) gets one. `epochValue` is the
  epoch key's value (or false), read before the script wrote anything. Returns the link's epoch.
]]
local function keepLink(linkKey, userKey, epochKey, epochValue, service, podId, persistSeconds)
  local ttl = '-1'
  if persistSeconds == '-1' then
    redis.call('HSET', userKey, service, podId)
    redis.call('PERSIST', linkKey)
  elseif redis.call('PTTL', linkKey) >= 0 then
    redis.call('EXPIRE', linkKey, persistSeconds)
    ttl = persistSeconds
  end
  local epoch = epochOf(epochValue, podId)
  if epoch then
    keepEpoch(epochKey, ttl)
    return epoch
  end
  return issueEpoch(epochKey, epochValue, podId, ttl)
end
