--[[
  First step of computeLinkedPod: if the user already has a link, keep it the way
  setLinkedPodIfAbsent does and return it. The caller picks and claims a pod
  (statefulSetLinkIfAbsent) only when this returns nil, because the load hash lies in
  another slot than the user's keys on Redis Cluster.

    Input:
      KEYS[1] link key        P:{ns:lk:uid}svc  (string: pod id)
      KEYS[2] user links key  P:{ns:lk:uid}     (hash: service -> pod id)

      ARGV[1] service name
      ARGV[2] persist seconds: '-1' persistent, otherwise the TTL in seconds

    Output:
      the pod id linked now (bulk string), or nil when the user has no link

    Errors:
      MALFORMED when KEYS[1] holds something else than a pod id (nothing is written)
]]
--- @include "includes/checkStoredPodId"
--- @include "includes/keepLink"

local current = redis.call('GET', KEYS[1])
if current then
  checkStoredPodId(current, KEYS[1])
  keepLink(KEYS[1], KEYS[2], ARGV[1], current, ARGV[2])
end
return current
