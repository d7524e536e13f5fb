--[[
  Fencing epochs (docs/operations.md). Beside each link key lies its epoch key, the link key + ':epoch',
  holding '<epoch>:<pod id>' with the link's time to live; the Go/Java originals never read it. An
  epoch is the Redis clock in microseconds, or the previous epoch + 1 when that is later, so epochs
  only grow per link, also across a removal and a failover (as long as the clock does not go back).
  An epoch counts only for the pod it names: a link that an original moved has none until this
  project writes it again.
]]
-- 2^53 - 1: epochs stay exact in Lua and in JavaScript.
local MAX_EPOCH = 9007199254740991

--- The epoch stored in the epoch key's value, or nil for a value of another shape.
local function storedEpoch(value)
  local digits = string.match(value, '^([1-9]%d*):')
  if digits and #digits <= 16 then
    local epoch = tonumber(digits)
    if epoch <= MAX_EPOCH then return epoch end
  end
  return nil
end

--- The link's epoch if the epoch key's value (false: none) names `podId`, else false. Scripts read
--- the value before they write anything, so that an epoch key of the wrong type fails them unchanged.
local function epochOf(value, podId)
  if value and string.sub(value, -(#podId + 1)) == ':' .. podId then
    return storedEpoch(value) or false
  end
  return false
end

local function nowMicros()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000000 + tonumber(time[2])
end

--- Issues a new epoch for the link to `podId`, above the one in `value` (the epoch key's value, or
--- false); ttl '-1' persistent, else seconds.
local function issueEpoch(epochKey, value, podId, ttl)
  local epoch = nowMicros()
  local previous = value and storedEpoch(value)
  if previous and previous >= epoch then epoch = previous + 1 end
  local value = string.format('%.0f', epoch) .. ':' .. podId
  if ttl == '-1' then
    redis.call('SET', epochKey, value)
  else
    redis.call('SET', epochKey, value, 'EX', ttl)
  end
  return epoch
end

--- Gives the epoch key the link's persistence: ttl '-1' persistent, else seconds.
local function keepEpoch(epochKey, ttl)
  if ttl == '-1' then
    redis.call('PERSIST', epochKey)
  else
    redis.call('EXPIRE', epochKey, ttl)
  end
end

--- The link is deleted: so is its epoch (`value`, the key's value or false), unless the epoch is
--- still ahead of the clock (issued faster than one per microsecond), which stays until the clock
--- passes it so that the next is greater.
local function dropEpoch(epochKey, value)
  if not value then return end
  local epoch = storedEpoch(value)
  local now = nowMicros()
  if epoch and epoch >= now then
    redis.call('PEXPIRE', epochKey, math.floor((epoch - now) / 1000) + 1)
  else
    redis.call('DEL', epochKey)
  end
end
