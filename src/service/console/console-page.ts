/** The console's page (served as /console): the frame the script fills in. */
export const CONSOLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Stateful routing store</title>
<link rel="stylesheet" href="/console/console.css">
<script src="/console/console.js"></script>
</head>
<body>
<header>
  <h1>Stateful routing store</h1>
  <span class="spacer"></span>
  <input id="token" type="password" placeholder="API token (if the service has one)" autocomplete="off" aria-label="API token">
  <button id="use-token" type="button">Use token</button>
</header>
<p id="message" role="status"></p>
<main>
  <section>
    <h2>Services</h2>
    <nav id="services"></nav>
  </section>
  <div class="right">
    <section>
      <h2>Pods</h2>
      <div class="bar" id="service-bar" hidden>
        <span class="title" id="service-title"></span>
        <span class="muted">refreshes every 5 s</span>
        <button id="count-users" type="button">Count users</button>
      </div>
      <table>
        <thead><tr><th class="num">Pod</th><th>State</th><th class="num">Load</th><th class="num">Report age</th><th>Address</th><th class="num">Users</th><th>Actions</th></tr></thead>
        <tbody id="pods"><tr><td colspan="7" class="muted">Pick a service.</td></tr></tbody>
      </table>
    </section>
    <section>
      <h2>User</h2>
      <form id="user-form">
        <input id="user-ns" placeholder="namespace" aria-label="namespace" required>
        <input id="user-uid" placeholder="user id" aria-label="user id" required>
        <button type="submit">Look up</button>
      </form>
      <table>
        <thead><tr><th>Service</th><th class="num">Pod</th><th>Link</th><th class="num">TTL</th><th class="num">Epoch</th></tr></thead>
        <tbody id="user-links"></tbody>
      </table>
    </section>
  </div>
</main>
<dialog id="confirm">
  <p id="confirm-text"></p>
  <div class="buttons"><button id="confirm-no" type="button">Cancel</button><button id="confirm-yes" class="confirm" type="button">Confirm</button></div>
</dialog>
</body>
</html>
`;
