--[[
  Reads a user's link to one service with its remaining time to live and its epoch, in one round
  trip: what getLink answers, and what the link cache needs to know how long it may keep the answer
  (a temporary link expires).

    Input (keys named as in the go layout; in the java layout they are slug-lk:{ns:uid:svc},
    slug-lk:{ns:uid} and slug-lk:{ns:uid:svc}:epoch, src/core/stateful-keys.ts):
      KEYS[1] link key   P:{ns:lk:uid}svc        (string: pod id)
      KEYS[2] epoch key  P:{ns:lk:uid}svc:epoch  (string: <epoch>:<pod id>, docs/operations.md)

    Output:
      nil when there is no link, else { pod id (bulk string), PTTL in ms (-1: persistent),
      epoch (0 when the link has no epoch of its pod: written by an original) }
]]
--- @include "includes/linkEpoch"

local current = redis.call('GET', KEYS[1])
if not current then
  return nil
end
return { current, redis.call('PTTL', KEYS[1]), epochOf(redis.call('GET', KEYS[2]), current) or 0 }
