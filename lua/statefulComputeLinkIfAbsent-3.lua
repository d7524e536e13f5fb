--[[
  First step of computeLinkedPod: if the user already has a link, keep it the way
  setLinkedPodIfAbsent does and return it with its epoch. The caller picks and claims a pod
  (statefulSetLinkIfAbsent) only when this returns nil, because the load hash lies in
  another slot than the user's keys on Redis Cluster.

    Input (keys named as in the go layout; in the java layout they are slug-lk:{ns:uid:svc},
    slug-lk:{ns:uid} and slug-lk:{ns:uid:svc}:epoch, src/core/stateful-keys.ts):
      KEYS[1] link key        P:{ns:lk:uid}svc        (string: pod id)
      KEYS[2] user links key  P:{ns:lk:uid}           (hash: service -> pod id)
      KEYS[3] epoch key       P:{ns:lk:uid}svc:epoch  (string: <epoch>:<pod id>, docs/operations.md)

      ARGV[1] service name
      ARGV[2] persist seconds: '-1' persistent, otherwise the TTL in seconds

    Output:
      { pod id linked now (bulk string), its epoch (integer) }, or nil when the user has no link
      (a link without an epoch of its pod, written by an original, gets a new one)

    Errors:
      MALFORMED when KEYS[1] holds something else than a pod id (nothing is written)
      WRONGTYPE when KEYS[3] is not a string (read before any write: nothing is written)
]]
--- @include "includes/checkStoredPodId"
--- @include "includes/readLinkForWrite"
--- @include "includes/linkEpoch"
--- @include "includes/keepLink"

local current, epochValue = readLinkForWrite(KEYS[1], KEYS[3])
if not current then
  return nil
end
return { current, keepLink(KEYS[1], KEYS[2], KEYS[3], epochValue, ARGV[1], current, ARGV[2]) }
