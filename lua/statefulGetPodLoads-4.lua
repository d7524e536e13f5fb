--[[
  Reads a service's load reports, pod states, addresses and periods in one consistent snapshot, with the
  Redis server's clock to judge each report's age.

    Input:
      KEYS[1] state key  P:{ns:state:svc}       (hash: pod id -> state)
      KEYS[2] load key   P:{ns:state:svc}:load  (hash: pod id -> '<load>:<unixMillis>')
      KEYS[3] address key P:{ns:state:svc}:addr (hash: pod id -> 'host:port')
      KEYS[4] period key  P:{ns:state:svc}:beat (hash: pod id -> period in ms)

    Output:
      { now in unix milliseconds (integer), HGETALL of KEYS[2], HGETALL of KEYS[1],
        HGETALL of KEYS[3], HGETALL of KEYS[4] }
]]
--- @include "includes/redisNowMs"

local nowMs = redisNowMs()
return {
  nowMs,
  redis.call('HGETALL', KEYS[2]),
  redis.call('HGETALL', KEYS[1]),
  redis.call('HGETALL', KEYS[3]),
  redis.call('HGETALL', KEYS[4]),
}
