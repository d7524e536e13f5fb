--[[
  Reads a service's load reports and pod states in one consistent snapshot, with the
  Redis server's clock to judge each report's age.

    Input:
      KEYS[1] state key  P:{ns:state:svc}       (hash: pod id -> state)
      KEYS[2] load key   P:{ns:state:svc}:load  (hash: pod id -> '<load>:<unixMillis>')

    Output:
      { now in unix milliseconds (integer), HGETALL of KEYS[2], HGETALL of KEYS[1] }
]]
--- @include "includes/redisNowMs"

local nowMs = redisNowMs()
return { nowMs, redis.call('HGETALL', KEYS[2]), redis.call('HGETALL', KEYS[1]) }
