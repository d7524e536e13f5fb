--[[
  Stores a pod's load report as '<load>:<unixMillis>', stamped with the Redis server's
  clock so that every reporter and reader compares times on one clock.

    Input:
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
