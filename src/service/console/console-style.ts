/** The console's stylesheet (served as /console/console.css). */
export const CONSOLE_CSS = String.raw`
:root { --bg: #f6f7f9; --panel: #fff; --ink: #1d2330; --muted: #6a7385; --line: #e2e5ea;
  --ready: #1f8f4e; --draining: #b7791f; --shutdown: #c53030; --other: #2b6cb0; --accent: #2b59c3; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  background: var(--bg); color: var(--ink); }
header { display: flex; align-items: center; gap: 16px; padding: 10px 20px; background: var(--ink); color: #fff; }
header h1 { font-size: 16px; margin: 0; font-weight: 600; letter-spacing: .2px; }
header .spacer { flex: 1; }
header input { width: 260px; }
header button { font: inherit; font-size: 13px; padding: 5px 12px; border-radius: 6px; border: 0;
  background: var(--accent); color: #fff; cursor: pointer; }
main { display: grid; grid-template-columns: 240px 1fr; gap: 16px; padding: 16px 20px; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .6px; color: var(--muted); margin: 0 0 10px; }
#services button { display: block; width: 100%; text-align: left; border: 0; background: none;
  padding: 6px 8px; border-radius: 6px; cursor: pointer; font: inherit; color: inherit; }
#services button:hover { background: var(--bg); }
#services button[aria-current="true"] { background: #e8eefc; color: var(--accent); font-weight: 600; }
#services .ns { color: var(--muted); font-size: 12px; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 7px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.state { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; color: #fff; background: var(--other); }
.state.Ready { background: var(--ready); } .state.Draining { background: var(--draining); }
.state.Shutdown { background: var(--shutdown); } .state.none { background: #a0a7b4; }
.stale { color: var(--shutdown); font-weight: 600; }
.actions button, .bar button, dialog button, form button { font: inherit; font-size: 12px; padding: 4px 10px; border-radius: 6px;
  border: 1px solid var(--line); background: #fff; cursor: pointer; margin-right: 4px; }
.actions button:hover, .bar button:hover { border-color: var(--accent); color: var(--accent); }
button.danger { color: var(--shutdown); }
input { font: inherit; padding: 5px 8px; border: 1px solid var(--line); border-radius: 6px; }
.bar { display: flex; gap: 8px; align-items: center; margin-bottom: 10px; }
.bar .title { font-size: 16px; font-weight: 600; flex: 1; }
.muted { color: var(--muted); }
#message { margin: 0 20px; padding: 8px 12px; border-radius: 6px; display: none; }
#message.ok { display: block; background: #e6f4ea; color: #1e5631; }
#message.error { display: block; background: #fdecea; color: #8a1c1c; }
.right { display: grid; gap: 16px; }
form { display: flex; gap: 8px; margin-bottom: 10px; }
dialog { border: 1px solid var(--line); border-radius: 10px; padding: 18px; max-width: 420px; }
dialog::backdrop { background: rgba(20, 25, 35, .35); }
dialog .buttons { display: flex; justify-content: flex-end; gap: 8px; margin-top: 14px; }
dialog button.confirm { background: var(--accent); color: #fff; border-color: var(--accent); }
`;
