--[[
  Links a user to a pod for one service, unconditionally.

    Input:
      KEYS[1] link key        P:{ns:lk:uid}svc  (string: pod id)
      KEYS[2] user links key  P:{ns:lk:uid}     (hash: service -> pod id)

      ARGV[1] service name
      ARGV[2] pod id
      ARGV[3] persist seconds: '-1' persistent, otherwise the TTL in seconds

    Output:
      the pod id linked before (bulk string), or nil when there was no link

    Errors:
      MALFORMED when KEYS[1] holds something else than a pod id (nothing is written)
]]
--- @include "includes/checkStoredPodId"
--- @include "includes/writeLink"

local previous = redis.call('GET', KEYS[1])
if previous then
  checkStoredPodId(previous, KEYS[1])
end
writeLink(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3])
return previous
