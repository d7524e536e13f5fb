/**
 * The console's script (served as /console/console.js): plain browser JavaScript, no framework, no
 * file from elsewhere. It calls the service's own `/v1` API with the token the operator entered,
 * kept in sessionStorage (this tab only), and renders with textContent only.
 */
export const CONSOLE_JS = String.raw`'use strict';
(function () {
  var TOKEN_KEY = 'stateful-console-token';
  var REFRESH_MS = 5000;
  var selected = null; // { namespace, service }
  var userCounts = {}; // pod id -> users, from the last count of the selected service
  var pending = null; // the action awaiting confirmation

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === 'text') node.textContent = attrs[name];
      else if (name === 'onclick') node.addEventListener('click', attrs[name]);
      else node.setAttribute(name, attrs[name]);
    });
    for (var i = 2; i < arguments.length; i++) if (arguments[i]) node.appendChild(arguments[i]);
    return node;
  }
  function path() {
    return Array.prototype.map.call(arguments, function (part, i) {
      return i % 2 === 0 ? part : encodeURIComponent(part);
    }).join('');
  }
  function say(kind, text) {
    var box = $('message');
    box.className = kind;
    box.textContent = text;
  }

  function api(url, options) {
    options = options || {};
    var headers = { accept: 'application/json' };
    var token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.authorization = 'Bearer ' + token;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    return fetch(url, {
      method: options.method || 'GET',
      headers: headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    }).then(function (response) {
      return response.text().then(function (text) {
        var body = text ? JSON.parse(text) : null;
        if (response.status === 401) {
          $('token').focus();
          throw new Error('This service needs its API token: enter it above.');
        }
        if (!response.ok) throw new Error((body && body.message) || 'HTTP ' + response.status);
        return body;
      });
    });
  }

  function loadServices() {
    return api('/v1/services').then(function (answer) {
      var list = $('services');
      list.replaceChildren();
      if (answer.services.length === 0) list.appendChild(el('p', { class: 'muted', text: 'No service has reported pods yet.' }));
      answer.services.forEach(function (ref) {
        var current = selected && selected.namespace === ref.namespace && selected.service === ref.service;
        list.appendChild(el('button', {
          'aria-current': current ? 'true' : 'false',
          'data-service': ref.namespace + '/' + ref.service,
          onclick: function () { select(ref); },
        }, el('span', { text: ref.service }), el('div', { class: 'ns', text: ref.namespace })));
      });
      if (!answer.complete) list.appendChild(el('p', { class: 'muted', text: 'More services exist than the scan listed.' }));
      if (!$('user-ns').value && answer.services[0]) $('user-ns').value = answer.services[0].namespace;
    });
  }

  function select(ref) {
    selected = ref;
    userCounts = {};
    $('user-ns').value = ref.namespace;
    return Promise.all([loadServices(), loadPods()]).catch(function (error) { say('error', error.message); });
  }

  function serviceUrl(suffix) {
    return path('/v1/namespaces/', selected.namespace, '/services/', selected.service, suffix);
  }

  function loadPods(countUsers) {
    if (!selected) return Promise.resolve();
    return api(serviceUrl('/overview' + (countUsers ? '?users=true' : ''))).then(function (answer) {
      if (countUsers) answer.pods.forEach(function (pod) { userCounts[pod.podId] = pod.users; });
      renderPods(answer);
    });
  }

  function renderPods(answer) {
    $('service-title').textContent = answer.namespace + ' / ' + answer.service;
    $('service-bar').hidden = false;
    var body = $('pods');
    body.replaceChildren();
    if (answer.pods.length === 0) {
      body.appendChild(el('tr', {}, el('td', { colspan: '7', class: 'muted', text: 'No pods known.' })));
    }
    answer.pods.forEach(function (pod) {
      var state = pod.state || 'none';
      var ageSeconds = pod.ageMs === null ? null : pod.ageMs / 1000;
      var staleAfter = pod.javaStatus ? 60 : 30;
      var users = userCounts[pod.podId];
      body.appendChild(el('tr', { 'data-pod': String(pod.podId) },
        el('td', { class: 'num', text: String(pod.podId) }),
        el('td', {}, el('span', { class: 'state ' + state, 'data-state': state, text: pod.state || 'no state' })),
        el('td', { class: 'num', text: pod.load === null ? '-' : String(pod.load) }),
        el('td', {
          class: 'num age' + (ageSeconds !== null && ageSeconds > staleAfter ? ' stale' : ''),
          title: ageSeconds !== null && ageSeconds > staleAfter ? 'no report for more than ' + staleAfter + ' s' : '',
          text: ageSeconds === null ? '-' : ageSeconds.toFixed(1) + ' s',
        }),
        el('td', { text: pod.address || '-' }),
        el('td', { class: 'num users', text: users === undefined ? '?' : String(users) }),
        el('td', { class: 'actions' },
          state !== 'Draining' && action('Drain', pod, 'Drain pod ' + pod.podId + '? It keeps its users and takes no new ones.',
            function () { return setState(pod.podId, 'Draining'); }),
          state !== 'Ready' && action('Ready', pod, 'Make pod ' + pod.podId + ' ready? It takes new users again.',
            function () { return setState(pod.podId, 'Ready'); }),
          action('Release users', pod, 'Release the users of pod ' + pod.podId + '? Their links are removed; their next request places them anew.',
            function () {
              return api(serviceUrl(path('/pods/', String(pod.podId), '/release')), { method: 'POST', body: {} })
                .then(function (answer) {
                  return loadPods(true).then(function () { return 'Released ' + answer.released + ' users of pod ' + pod.podId + '.'; });
                });
            }, 'danger'),
          action('Forget', pod, 'Forget pod ' + pod.podId + '? Its state and load are removed: only for a pod that is gone for good.',
            function () {
              return api(serviceUrl(path('/pods/', String(pod.podId))), { method: 'DELETE' })
                .then(function () { return 'Forgot pod ' + pod.podId + '.'; });
            }, 'danger'))));
    });
  }

  function setState(podId, state) {
    return api(serviceUrl(path('/pods/', String(podId), '/state')), { method: 'PUT', body: { state: state } })
      .then(function () { return 'Pod ' + podId + ' is ' + state + '.'; });
  }

  function action(label, pod, question, run, kind) {
    return el('button', {
      class: kind || '',
      'data-action': label,
      onclick: function () {
        pending = run;
        $('confirm-text').textContent = question;
        $('confirm').showModal();
      },
    }, document.createTextNode(label));
  }

  function confirmed() {
    $('confirm').close();
    var run = pending;
    pending = null;
    if (!run) return;
    run().then(function (text) {
      say('ok', text);
      return loadPods();
    }).catch(function (error) { say('error', error.message); });
  }

  function lookUpUser(event) {
    event.preventDefault();
    var ns = $('user-ns').value.trim();
    var uid = $('user-uid').value;
    api(path('/v1/namespaces/', ns, '/users/', uid, '/overview')).then(function (answer) {
      var body = $('user-links');
      body.replaceChildren();
      if (answer.links.length === 0) {
        body.appendChild(el('tr', {}, el('td', { colspan: '5', class: 'muted', text: uid + ' has no links in ' + ns + '.' })));
      }
      answer.links.forEach(function (link) {
        body.appendChild(el('tr', { 'data-service': link.service },
          el('td', { text: link.service }),
          el('td', { class: 'num', text: String(link.podId) }),
          el('td', { text: link.persistent ? 'persistent' : 'temporary' }),
          el('td', { class: 'num', text: link.ttlMs === null ? '-' : (link.ttlMs / 1000).toFixed(0) + ' s' }),
          el('td', { class: 'num', text: link.epoch ? String(link.epoch) : '-' })));
      });
    }).catch(function (error) { say('error', error.message); });
  }

  function refresh() {
    Promise.all([loadServices(), loadPods()]).catch(function (error) { say('error', error.message); });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('token').value = sessionStorage.getItem(TOKEN_KEY) || '';
    $('use-token').addEventListener('click', function () {
      sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
      say('ok', 'Token set for this tab.');
      refresh();
    });
    $('count-users').addEventListener('click', function () {
      loadPods(true).catch(function (error) { say('error', error.message); });
    });
    $('confirm-yes').addEventListener('click', confirmed);
    $('confirm-no').addEventListener('click', function () { pending = null; $('confirm').close(); });
    $('user-form').addEventListener('submit', lookUpUser);
    refresh();
    setInterval(refresh, REFRESH_MS);
  });
})();
`;
