--[[
  Unlists a link from the user's hash (Redis drops the hash when it becomes empty), then
  deletes the link ('-1') or keeps it as a temporary link for persistSeconds.
]]
local function unlink(linkKey, userKey, service, persistSeconds)
  redis.call('HDEL', userKey, service)
  if persistSeconds == '-1' then
    redis.call('DEL', linkKey)
  else
    redis.call('EXPIRE', linkKey, persistSeconds)
  end
end
