--[[
  Unlists a link from the user's hash (Redis drops the hash when it becomes empty), then
  deletes the link ('-1') or keeps it as a temporary link for persistSeconds; its epoch key follows
  (`epochValue`: its value or false, read before the script wrote anything).
]]
local function unlink(linkKey, userKey, epochKey, epochValue, service, persistSeconds)
  redis.call('HDEL', userKey, service)
  if persistSeconds == '-1' then
    redis.call('DEL', linkKey)
    dropEpoch(epochKey, epochValue)
  else
    redis.call('EXPIRE', linkKey, persistSeconds)
    redis.call('EXPIRE', epochKey, persistSeconds)
  end
end
