--[[
  Links a user to a pod unless a link exists; an existing link keeps its pod and its epoch.

    Input (keys named as in the go layout; in the java layout they are slug-lk:{ns:uid:svc},
    slug-lk:{ns:uid} and slug-lk:{ns:uid:svc}:epoch, src/core/stateful-keys.ts):
      KEYS[1] link key        P:{ns:lk:uid}svc        (string: pod id)
      KEYS[2] user links key  P:{ns:lk:uid}           (hash: service -> pod id)
      KEYS[3] epoch key       P:{ns:lk:uid}svc:epoch  (string: <epoch>:<pod id>, docs/operations.md)

      ARGV[1] service name
      ARGV[2] pod id to link when there is no link
      ARGV[3] persist seconds: '-1' persistent, otherwise the TTL in seconds

    Output:
      { 1 if this call created the link else 0, pod id linked now (bulk string), its epoch }

    Errors:
      MALFORMED when KEYS[1] holds something else than a pod id (nothing is written)
      WRONGTYPE when KEYS[3] is not a string (read before any write: nothing is written)
]]
--- @include "includes/checkStoredPodId"
--- @include "includes/readLinkForWrite"
--- @include "includes/linkEpoch"
--- @include "includes/writeLink"
--- @include "includes/keepLink"

local current, epochValue = readLinkForWrite(KEYS[1], KEYS[3])
if current then
  return { 0, current, keepLink(KEYS[1], KEYS[2], KEYS[3], epochValue, ARGV[1], current, ARGV[3]) }
end
return {
  1,
  ARGV[2],
  writeLink(KEYS[1], KEYS[2], KEYS[3], epochValue, ARGV[1], ARGV[2], ARGV[3], false),
}
