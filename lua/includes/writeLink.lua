--[[
  Writes a link the way setLinkedPod does.
  Persistent (persistSeconds == '-1'): the link key loses any TTL and the user's hash lists it.
  Temporary: the link key gets the TTL and the user's hash no longer lists it.
]]
local function writeLink(linkKey, userKey, service, podId, persistSeconds)
  -- The hash first: it is the write that can fail (WRONGTYPE), and a failed script is not rolled back.
  if persistSeconds == '-1' then
    redis.call('HSET', userKey, service, podId)
    redis.call('SET', linkKey, podId)
  else
    redis.call('HDEL', userKey, service)
    redis.call('SET', linkKey, podId, 'EX', persistSeconds)
  end
end
