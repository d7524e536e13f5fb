--[[
  Healing: moves a user's link off a pod that is gone, compare-and-set, so that gateways racing to
  heal the same user agree on one new pod.

    Input (keys named as in the go layout; in the java layout they are slug-lk:{ns:uid:svc},
    slug-lk:{ns:uid} and slug-lk:{ns:uid:svc}:epoch, src/core/stateful-keys.ts):
      KEYS[1] link key        P:{ns:lk:uid}svc        (string: pod id)
      KEYS[2] user links key  P:{ns:lk:uid}           (hash: service -> pod id)
      KEYS[3] epoch key       P:{ns:lk:uid}svc:epoch  (string: <epoch>:<pod id>, docs/operations.md)

      ARGV[1] service name
      ARGV[2] the gone pod id the link must still point at
      ARGV[3] the pod id to move it to
      ARGV[4] persist seconds: '-1' persistent, otherwise the TTL in seconds

    Output:
      { 1, ARGV[3], new epoch } when this call moved the link
      { 0, pod id linked now (bulk string), its epoch } when the link no longer points at the gone
        pod: another caller moved it; it is kept with the caller's persistence, as
        setLinkedPodIfAbsent does
      { 0, nil } when the link is gone (removed meanwhile): nothing is written, the caller places
        the user as a new one

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
if not current then
  return { 0, false }
end
if current ~= ARGV[2] then
  return { 0, current, keepLink(KEYS[1], KEYS[2], KEYS[3], epochValue, ARGV[1], current, ARGV[4]) }
end
return {
  1,
  ARGV[3],
  writeLink(KEYS[1], KEYS[2], KEYS[3], epochValue, ARGV[1], ARGV[3], ARGV[4], current),
}
