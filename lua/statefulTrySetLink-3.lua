--[[
  Links a user to a pod unless a persistent link to another pod exists.
  A temporary link to another pod is taken over (with a new epoch).

    Input (keys named as in the go layout; in the java layout they are slug-lk:{ns:uid:svc},
    slug-lk:{ns:uid} and slug-lk:{ns:uid:svc}:epoch, src/core/stateful-keys.ts):
      KEYS[1] link key        P:{ns:lk:uid}svc        (string: pod id)
      KEYS[2] user links key  P:{ns:lk:uid}           (hash: service -> pod id)
      KEYS[3] epoch key       P:{ns:lk:uid}svc:epoch  (string: <epoch>:<pod id>, docs/operations.md)

      ARGV[1] service name
      ARGV[2] pod id
      ARGV[3] persist seconds: '-1' persistent, otherwise the TTL in seconds

    Output:
      { 1, ARGV[2], the link's epoch } when linked
      { 0, holder pod id (bulk string), the holder's epoch or 0 when it has none } when a
        persistent link to another pod exists

    Errors:
      MALFORMED when KEYS[1] holds something else than a pod id (nothing is written)
      WRONGTYPE when KEYS[3] is not a string (read before any write: nothing is written)
]]
--- @include "includes/checkStoredPodId"
--- @include "includes/readLinkForWrite"
--- @include "includes/linkEpoch"
--- @include "includes/writeLink"

local current, epochValue = readLinkForWrite(KEYS[1], KEYS[3])
if current and current ~= ARGV[2] and redis.call('PTTL', KEYS[1]) == -1 then
  return { 0, current, epochOf(epochValue, current) or 0 }
end
return {
  1,
  ARGV[2],
  writeLink(KEYS[1], KEYS[2], KEYS[3], epochValue, ARGV[1], ARGV[2], ARGV[3], current),
}
