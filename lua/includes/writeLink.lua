--[[
  Writes a link the way setLinkedPod does.
  Persistent (persistSeconds == '-1'): the link key loses any TTL and the user's hash lists it.
  Temporary: the link key gets the TTL and the user's hash no longer lists it.
]]
local function writeLink(linkKey, userKey, service, podId, persistSeconds)
  if persistSeconds == '-1' then
    redis.call('SET', linkKey, podId)
    redis.call('HSET', userKey, service, podId)
  else
    redis.call('SET', linkKey, podId, 'EX', persistSeconds)
    redis.call('HDEL', userKey, service)
  end
end
