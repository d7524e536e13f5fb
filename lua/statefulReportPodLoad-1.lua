--[[
  Stores a pod's load report as '<load>:<unixMillis>', stamped with the Redis server's
  clock so that every reporter and reader compares times on one clock.

    Input (keys named as in the go layout; in the java layout P:{ns:state:svc} is
    slug-state:{ns:svc}, src/core/stateful-keys.ts):
      KEYS[1] load key  P:{ns:state:svc}:load  (hash: pod id -> '<load>:<unixMillis>')

      ARGV[1] pod id
      ARGV[2] load (decimal number)

    Output:
      the unix time in milliseconds written (integer)
]]
--- @include "includes/redisNowMs"

local nowMs = redisNowMs()
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. string.format('%.0f', nowMs))
return nowMs
