--[[
  Writes a link the way setLinkedPod does.
  Persistent (persistSeconds == '-1'): the link key loses any TTL and the user's hash lists it.
  Temporary: the link key gets the TTL and the user's hash no longer lists it.
  `previous` is the pod linked before (or false): a link staying on its pod keeps its epoch, any
  other write issues a new one. `epochValue` is the epoch key's value (or false), read before the
  script wrote anything. Returns the link's epoch.
]]
local function writeLink(linkKey, userKey, epochKey, epochValue, service, podId, persistSeconds, previous)
  -- The hash first: it is the write that can fail (WRONGTYPE), and a failed script is not rolled back.
  if persistSeconds == '-1' then
    redis.call('HSET', userKey, service, podId)
    redis.call('SET', linkKey, podId)
  else
    redis.call('HDEL', userKey, service)
    redis.call('SET', linkKey, podId, 'EX', persistSeconds)
  end
  local epoch = previous == podId and epochOf(epochValue, podId)
  if epoch then
    keepEpoch(epochKey, persistSeconds)
    return epoch
  end
  return issueEpoch(epochKey, epochValue, podId, persistSeconds)
end
