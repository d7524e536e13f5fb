--[[
  Sets a pod's state. In the Java original's status format nothing but Java's own value is written
  where Java reads: the state hash keeps '<load>-<unixMillis>-<avail>' with avail 0 for Draining and
  Shutdown, 1 otherwise, and the state itself is held in the info hash, where the pod's next beat
  finds it (docs/operations.md); 'Ready' ends the hold.

    Input (keys named as in the go layout; in the java layout P:{ns:state:svc} is
    slug-state:{ns:svc}, src/core/stateful-keys.ts):
      KEYS[1] state key  P:{ns:state:svc}       (hash: pod id -> state, or a Java status)
      KEYS[2] load key   P:{ns:state:svc}:load  (not read or written: the service's keys, as every
                                                  pod script takes them)
      KEYS[3] info key   P:{ns:state:svc}:info  (hash: '<pod id>:state' -> the state held in the
                                                  java format; this project's only)

      ARGV[1] pod id
      ARGV[2] state (validated by the caller)
      ARGV[3] format: 'split' writes the state into KEYS[1] (the library sends a plain HSET
              then); 'java' as above. A pod without a Java
              status in KEYS[1] (or with one Java's parser refuses) gets only the hold: its first
              beat applies it

    Output:
      1
]]
if ARGV[3] ~= 'java' then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return 1
end
if ARGV[2] == 'Ready' then
  redis.call('HDEL', KEYS[3], ARGV[1] .. ':state')
else
  redis.call('HSET', KEYS[3], ARGV[1] .. ':state', ARGV[2])
end
local avail = '1'
if ARGV[2] == 'Draining' or ARGV[2] == 'Shutdown' then
  avail = '0'
end
local stored = redis.call('HGET', KEYS[1], ARGV[1])
local load, ms = nil, nil
if stored then
  load, ms = string.match(stored, '^(%d+)%-(%d+)$')
  if not load then
    load, ms = string.match(stored, '^(%d+)%-(%d+)%-[01]$')
  end
end
if load and #load <= 10 and tonumber(load) <= 2147483647 and #ms <= 16 then
  redis.call('HSET', KEYS[1], ARGV[1], load .. '-' .. ms .. '-' .. avail)
end
return 1
