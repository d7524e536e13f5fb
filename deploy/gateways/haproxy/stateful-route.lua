-- The HAProxy side of the stateful route (haproxy.cfg beside this file): asks the store where the
-- request's user goes and leaves the answer in transaction variables for haproxy.cfg to act on.
--
--   txn.stateful_status       the route's HTTP status (0 when the store did not answer)
--   txn.stateful_pod          the pod id (x-stateful-pod)
--   txn.stateful_epoch        the link's fencing epoch (x-stateful-epoch)
--   txn.stateful_host         the pod's host and port, from x-stateful-upstream ("[...]" taken off
--   txn.stateful_port         an IPv6 host)
--   txn.stateful_retry_after  Retry-After of a 503

local route_url = string.format(
  'http://127.0.0.1:%s/v1/namespaces/%s/services/%s/route',
  os.getenv('ROUTE_LOOPBACK_PORT'), os.getenv('STATEFUL_NAMESPACE'), os.getenv('STATEFUL_SERVICE'))
local authorization = 'Bearer ' .. (os.getenv('ROUTE_TOKEN') or '')
-- The header the store reads the uid from (its ROUTE_UID_HEADER), passed on as the client sent it.
local uid_header = string.lower(os.getenv('ROUTE_UID_HEADER') or 'x-stateful-uid')

local function first(headers, name)
  local values = headers[name]
  return values and values[0]
end

core.register_action('stateful_route', { 'http-req' }, function(txn)
  txn:set_var('txn.stateful_status', 0)
  local headers = { ['authorization'] = { authorization } }
  local uid = first(txn.http:req_get_headers(), uid_header)
  if uid then headers[uid_header] = { uid } end
  local client = core.httpclient()
  local ok, response = pcall(client.get, client, { url = route_url, headers = headers, timeout = 2000 })
  if not ok or response == nil or response.status == nil then return end
  txn:set_var('txn.stateful_status', response.status)
  if response.status ~= 200 then
    txn:set_var('txn.stateful_retry_after', first(response.headers, 'retry-after') or '1')
    return
  end
  local upstream = first(response.headers, 'x-stateful-upstream') or ''
  local host, port = string.match(upstream, '^%[?([^%]]+)%]?:(%d+)$')
  if not host then
    txn:set_var('txn.stateful_status', 0)
    return
  end
  txn:set_var('txn.stateful_pod', first(response.headers, 'x-stateful-pod') or '')
  txn:set_var('txn.stateful_epoch', first(response.headers, 'x-stateful-epoch') or '')
  txn:set_var('txn.stateful_host', host)
  txn:set_var('txn.stateful_port', tonumber(port))
end, 0)
