--[[
  The Redis server's clock in unix milliseconds: one clock for every reporter and reader.
]]
local function redisNowMs()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
