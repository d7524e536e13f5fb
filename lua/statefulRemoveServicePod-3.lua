--[[
  Forgets a pod of a service: its state, its load report, and what this project keeps of it (its
  address, its period, the placements counted since its last report, a held state).

    Input (keys named as in the go layout; in the java layout P:{ns:state:svc} is
    slug-state:{ns:svc}, src/core/stateful-keys.ts):
      KEYS[1] state key  P:{ns:state:svc}       (hash: pod id -> state)
      KEYS[2] load key   P:{ns:state:svc}:load  (hash: pod id -> '<load>:<unixMillis>')
      KEYS[3] info key   P:{ns:state:svc}:info  (hash: '<pod id>:<what>' -> value)

      ARGV[1] pod id

    Output:
      1 if the pod had a state or a load report, else 0
]]
-- What this project keeps of a pod does not make it known: it is removed, not counted.
redis.call(
  'HDEL',
  KEYS[3],
  ARGV[1] .. ':address',
  ARGV[1] .. ':everyMs',
  ARGV[1] .. ':placed',
  ARGV[1] .. ':state'
)
local removed = redis.call('HDEL', KEYS[1], ARGV[1]) + redis.call('HDEL', KEYS[2], ARGV[1])
if removed > 0 then
  return 1
end
return 0
