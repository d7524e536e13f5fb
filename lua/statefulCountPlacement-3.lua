--[[
  Counts a user placed on a pod (a new link, or a move) since the pod's last load report, so that
  every gateway's pod choice sees it until the pod reports again (placement accounting, docs/operations.md).
  The count names the report it counts from: a newer report, in either format, starts it afresh.

    Input (keys named as in the go layout; in the java layout P:{ns:state:svc} is
    slug-state:{ns:svc}, src/core/stateful-keys.ts):
      KEYS[1] state key  P:{ns:state:svc}       (hash: pod id -> state, or a Java status
                                                 '<load>-<unixMillis>[-<avail>]')
      KEYS[2] load key   P:{ns:state:svc}:load  (hash: pod id -> '<load>:<unixMillis>')
      KEYS[3] info key   P:{ns:state:svc}:info  (hash: '<pod id>:placed' ->
                                                 '<count>:<unixMillis of the report>')

      ARGV[1] pod id

    Output:
      the count now (integer)
]]
local stamp = 0
local split = redis.call('HGET', KEYS[2], ARGV[1])
if split then
  stamp = tonumber(string.match(split, ':(%d+)$')) or 0
end
local java = redis.call('HGET', KEYS[1], ARGV[1])
if java then
  -- A Java status '<load>-<unixMillis>' or '<load>-<unixMillis>-<avail>', as the readers parse it.
  local ms = tonumber(string.match(java, '^%d+%-(%d+)$') or string.match(java, '^%d+%-(%d+)%-[01]$'))
  if ms and ms > stamp then
    stamp = ms
  end
end
local field = ARGV[1] .. ':placed'
local count = 0
local current = redis.call('HGET', KEYS[3], field)
if current then
  local counted, since = string.match(current, '^(%d+):(%d+)$')
  if since and tonumber(since) == stamp then
    count = tonumber(counted)
  end
end
count = count + 1
redis.call('HSET', KEYS[3], field, count .. ':' .. string.format('%.0f', stamp))
return count
