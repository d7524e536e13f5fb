--[[
  Removes a user's link to one service: unlists it, then deletes it or keeps it as a
  temporary link (the reconnection grace period). The epoch key follows the link.

    Input (keys named as in the go layout; in the java layout they are slug-lk:{ns:uid:svc},
    slug-lk:{ns:uid} and slug-lk:{ns:uid:svc}:epoch, src/core/stateful-keys.ts):
      KEYS[1] link key        P:{ns:lk:uid}svc        (string: pod id)
      KEYS[2] user links key  P:{ns:lk:uid}           (hash: service -> pod id)
      KEYS[3] epoch key       P:{ns:lk:uid}svc:epoch  (string: <epoch>:<pod id>, docs/operations.md)

      ARGV[1] service name
      ARGV[2] persist seconds: '-1' delete now, otherwise keep for that many seconds

    Output:
      1 if a link existed, else 0
    Errors:
      WRONGTYPE when KEYS[3] is not a string (read before any write of the link: the link stays)
]]
--- @include "includes/linkEpoch"
--- @include "includes/unlink"

if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HDEL', KEYS[2], ARGV[1])
  return 0
end
local epochValue = redis.call('GET', KEYS[3])
unlink(KEYS[1], KEYS[2], KEYS[3], epochValue, ARGV[1], ARGV[2])
return 1
