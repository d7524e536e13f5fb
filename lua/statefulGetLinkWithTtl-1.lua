--[[
  Reads a user's link to one service with its remaining time to live, in one round trip: what the
  link cache needs to know how long it may keep the answer (a temporary link expires).

    Input:
      KEYS[1] link key  P:{ns:lk:uid}svc  (string: pod id)

    Output:
      nil when there is no link, else { pod id (bulk string), PTTL in ms (-1: persistent) }
]]
local current = redis.call('GET', KEYS[1])
if not current then
  return nil
end
return { current, redis.call('PTTL', KEYS[1]) }
