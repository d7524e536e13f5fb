--[[
  A pod's heartbeat: its load and, when given, its state, its address and its period, written
  together and stamped with the Redis server's clock.

    Input (keys named as in the go layout; in the java layout P:{ns:state:svc} is
    slug-state:{ns:svc}, src/core/stateful-keys.ts):
      KEYS[1] state key  P:{ns:state:svc}       (hash: pod id -> state)
      KEYS[2] load key   P:{ns:state:svc}:load  (hash: pod id -> '<load>:<unixMillis>')
      KEYS[3] info key   P:{ns:state:svc}:info  (hash: '<pod id>:address' -> 'host:port',
                         '<pod id>:state' -> the state held in the java format,
                         '<pod id>:everyMs' -> '<period>:<unixMillis of the report that stated
                         it>', '<pod id>:placed' ->
                         '<count>:<unixMillis of the report it counts from>'; this project's only)

      ARGV[1] pod id
      ARGV[2] load (decimal number; an integer in the java format)
      ARGV[3] state, or '' to leave the state as it is
      ARGV[4] format: 'split' writes '<load>:<unixMillis>' into KEYS[2] and the state into KEYS[1];
              'java' writes '<load>-<unixMillis>-<avail>' into KEYS[1], as the Java original does,
              so that Java gateways see the pod, and holds any state but Ready in KEYS[3]
              ('<pod id>:state'; Ready ends the hold); avail is 0 while the held state is Draining
              or Shutdown, else 1; without a state and without a hold, a stored avail 0 (Java's own
              'unavailable') is kept
      ARGV[5] address ('host:port', validated by the caller), or '' to leave it as it is; written
              into KEYS[3] in both formats
      ARGV[6] the reporter's period in ms (validated by the caller), or '': written into KEYS[3]
              in both formats as '<period>:<unixMillis of this report>', so that it holds for this
              report only (a later report without a period, from any writer, ends it)

    The placements counted since the previous report ('<pod id>:placed') need no reset: they name
    the report they count from, and this one is newer.

    Output:
      the unix time in milliseconds written (integer)
]]
--- @include "includes/redisNowMs"

local nowMs = redisNowMs()
local stamp = string.format('%.0f', nowMs)
if ARGV[4] == 'java' then
  local held = redis.call('HGET', KEYS[3], ARGV[1] .. ':state')
  if ARGV[3] == 'Ready' then
    redis.call('HDEL', KEYS[3], ARGV[1] .. ':state')
    held = false
  elseif ARGV[3] ~= '' then
    redis.call('HSET', KEYS[3], ARGV[1] .. ':state', ARGV[3])
    held = ARGV[3]
  end
  local avail = '1'
  if held == 'Draining' or held == 'Shutdown' then
    avail = '0'
  elseif ARGV[3] == '' and not held then
    local stored = redis.call('HGET', KEYS[1], ARGV[1])
    if stored and string.match(stored, '^%d+%-%d+%-0$') then
      avail = '0'
    end
  end
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '-' .. stamp .. '-' .. avail)
else
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2] .. ':' .. stamp)
  if ARGV[3] ~= '' then
    redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  end
end
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[3], ARGV[1] .. ':address', ARGV[5])
end
if ARGV[6] ~= '' then
  redis.call('HSET', KEYS[3], ARGV[1] .. ':everyMs', ARGV[6] .. ':' .. stamp)
end
return nowMs
