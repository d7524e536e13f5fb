--[[
  Refuses a stored link value that is not a pod id (the reply parser's rule: a canonical decimal
  from 0 to 2147483647) with a MALFORMED error, before the script writes anything, so that a call
  failing on corrupt data changes nothing.
]]
local function checkStoredPodId(value, key)
  if value == '0' or (#value <= 10 and string.match(value, '^[1-9]%d*$') and tonumber(value) <= 2147483647) then
    return value
  end
  error({ err = 'MALFORMED ' .. key .. ' holds ' .. string.format('%q', string.sub(value, 1, 64)) })
end
