--[[
  Forgets a pod of a service: its state, its load report, its address and its period.

    Input:
      KEYS[1] state key  P:{ns:state:svc}       (hash: pod id -> state)
      KEYS[2] load key   P:{ns:state:svc}:load  (hash: pod id -> '<load>:<unixMillis>')
      KEYS[3] address key P:{ns:state:svc}:addr (hash: pod id -> 'host:port')
      KEYS[4] period key  P:{ns:state:svc}:beat (hash: pod id -> period in ms)

      ARGV[1] pod id

    Output:
      1 if the pod had a state or a load report, else 0
]]
-- The address and the period alone do not make a pod known: they are removed, not counted.
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
local removed = redis.call('HDEL', KEYS[1], ARGV[1]) + redis.call('HDEL', KEYS[2], ARGV[1])
if removed > 0 then
  return 1
end
return 0
