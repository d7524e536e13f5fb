--[[
  Reads a user's link to one service only if it is persistent (has no TTL).

    Input (keys named as in the go layout; in the java layout they are slug-lk:{ns:uid:svc},
    slug-lk:{ns:uid} and slug-lk:{ns:uid:svc}:epoch, src/core/stateful-keys.ts):
      KEYS[1] link key  P:{ns:lk:uid}svc  (string: pod id)

    Output:
      the pod id (bulk string), or nil when there is no link or the link is temporary
]]
local current = redis.call('GET', KEYS[1])
if current and redis.call('PTTL', KEYS[1]) == -1 then
  return current
end
return nil
