--[[
  What a link-writing script decides on, read before it writes anything: the pod linked now (false
  when there is no link; a value that is not a pod id fails the script with MALFORMED) and the epoch
  key's value (false when there is none; a key of another type fails it with WRONGTYPE). Either
  failure leaves everything as it was. Needs includes/checkStoredPodId.
]]
local function readLinkForWrite(linkKey, epochKey)
  local current = redis.call('GET', linkKey)
  if current then
    checkStoredPodId(current, linkKey)
  end
  return current, redis.call('GET', epochKey)
end
