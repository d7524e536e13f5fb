--[[
  Links a user to a pod, unconditionally. Linking it to the pod it is linked to keeps the epoch;
  any other link gets a new one.

    Input (keys named as in the go layout; in the java layout they are slug-lk:{ns:uid:svc},
    slug-lk:{ns:uid} and slug-lk:{ns:uid:svc}:epoch, src/core/stateful-keys.ts):
      KEYS[1] link key        P:{ns:lk:uid}svc        (string: pod id)
      KEYS[2] user links key  P:{ns:lk:uid}           (hash: service -> pod id)
      KEYS[3] epoch key       P:{ns:lk:uid}svc:epoch  (string: <epoch>:<pod id>, docs/operations.md)

      ARGV[1] service name
      ARGV[2] pod id
      ARGV[3] persist seconds: '-1' persistent, otherwise the TTL in seconds

    Output:
      { pod id linked before (bulk string) or nil when there was no link, the link's epoch now }

    Errors:
      MALFORMED when KEYS[1] holds something else than a pod id (nothing is written)
      WRONGTYPE when KEYS[3] is not a string (read before any write: nothing is written)
]]
--- @include "includes/checkStoredPodId"
--- @include "includes/readLinkForWrite"
--- @include "includes/linkEpoch"
--- @include "includes/writeLink"

local previous, epochValue = readLinkForWrite(KEYS[1], KEYS[3])
return {
  previous,
  writeLink(KEYS[1], KEYS[2], KEYS[3], epochValue, ARGV[1], ARGV[2], ARGV[3], previous),
}
