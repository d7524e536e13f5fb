--[[
  Compare-and-remove: removes a user's link to one service only if it points at the pod.
  The epoch key follows the link.

    Input (keys named as in the go layout; in the java layout they are slug-lk:{ns:uid:svc},
    slug-lk:{ns:uid} and slug-lk:{ns:uid:svc}:epoch, src/core/stateful-keys.ts):
      KEYS[1] link key        P:{ns:lk:uid}svc        (string: pod id)
      KEYS[2] user links key  P:{ns:lk:uid}           (hash: service -> pod id)
      KEYS[3] epoch key       P:{ns:lk:uid}svc:epoch  (string: <epoch>:<pod id>, docs/operations.md)

      ARGV[1] service name
      ARGV[2] persist seconds: '-1' delete now, otherwise keep for that many seconds
      ARGV[3] the pod id the link must point at

    Output:
      1 if the link pointed at the pod and was removed, else 0
    Errors:
      WRONGTYPE when KEYS[3] is not a string (read before any write of the link: the link stays)
]]
--- @include "includes/linkEpoch"
--- @include "includes/unlink"

if redis.call('GET', KEYS[1]) ~= ARGV[3] then
  return 0
end
local epochValue = redis.call('GET', KEYS[3])
unlink(KEYS[1], KEYS[2], KEYS[3], epochValue, ARGV[1], ARGV[2])
return 1
