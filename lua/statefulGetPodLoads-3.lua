--[[
  Reads a service's load reports, pod states and what this project keeps of its pods (addresses,
  periods, placements since the last report) in one consistent snapshot, with the
  Redis server's clock to judge each report's age.

    Input (keys named as in the go layout; in the java layout P:{ns:state:svc} is
    slug-state:{ns:svc}, src/core/stateful-keys.ts):
      KEYS[1] state key  P:{ns:state:svc}       (hash: pod id -> state)
      KEYS[2] load key   P:{ns:state:svc}:load  (hash: pod id -> '<load>:<unixMillis>')
      KEYS[3] info key   P:{ns:state:svc}:info  (hash: '<pod id>:<what>' -> value)

    Output:
      { now in unix milliseconds (integer), HGETALL of KEYS[2], HGETALL of KEYS[1],
        HGETALL of KEYS[3] }
]]
--- @include "includes/redisNowMs"

local nowMs = redisNowMs()
return {
  nowMs,
  redis.call('HGETALL', KEYS[2]),
  redis.call('HGETALL', KEYS[1]),
  redis.call('HGETALL', KEYS[3]),
}
