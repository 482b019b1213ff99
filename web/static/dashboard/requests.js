// The live request log: the merchant's API requests as they finish, from
// the requests stream (method, path, status, latency, ids; never bodies or
// secrets). Newest on top; the filters and the pause act on what this page
// has received, so changing them loses nothing. `signal` aborts when the
// page is left, and the stream with it.
import { h } from '/static/shared/format.js';
import { follow } from '/static/dashboard/sse.js';
import { labelled, select, liveIndicator } from '/static/dashboard/ui.js';
import { title } from '/static/dashboard/pages.js';

// Requests kept by the page, and rows drawn at most.
const KEEP = 1000;
const SHOWN = 200;
const WAITING = 'Waiting for requests… Any API call made with this key shows here as it finishes.';

function statusBadge(status) {
  const tone = status >= 500 ? 'failed' : status >= 400 ? 'pending' : 'success';
  return h('span', { class: `badge badge-${tone}`, text: String(status) });
}

function time(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso ?? '—';
  const text = d.toLocaleTimeString(undefined, { hour12: false, fractionalSecondDigits: 3 });
  return h('time', { datetime: iso, title: d.toLocaleString(), text });
}

export function requestLog(view, signal) {
  let entries = [];  // newest first
  let held = [];     // arrived while paused
  let paused = false;

  const method = select([['', 'Any method'], ...['GET', 'POST', 'PATCH', 'DELETE'].map((m) => [m, m])], '');
  const status = select([['', 'Any status'], ['2xx', '2xx'], ['3xx', '3xx'], ['4xx', '4xx'], ['5xx', '5xx']], '');
  const path = h('input', { type: 'search', spellcheck: 'false', placeholder: '/api/v1/orders' });
  const pause = h('button', { type: 'button', class: 'secondary', text: 'Pause' });
  const clear = h('button', { type: 'button', class: 'secondary', text: 'Clear' });
  const filters = h('form', { class: 'filters', 'aria-label': 'Filters' },
    labelled('log-method', 'Method', method), labelled('log-status', 'Status', status),
    labelled('log-path', 'Path starts with', path),
    h('div', { class: 'filter-actions' }, pause, clear));
  filters.addEventListener('submit', (e) => e.preventDefault());

  const live = liveIndicator();
  const summary = h('p', { class: 'muted', 'data-testid': 'log-summary' });
  const body = h('tbody');
  const empty = h('p', { class: 'empty', text: WAITING });
  const tableWrap = h('div', { class: 'table-wrap', hidden: true },
    h('table', { 'data-testid': 'request-log' },
      h('thead', {}, h('tr', {}, ['Time', 'Method', 'Path', 'Status', 'Duration', 'Request id', 'Idempotency key']
        .map((label) => h('th', { scope: 'col', text: label })))),
      body));
  view.replaceChildren(title('Request log', live.el),
    h('p', { class: 'muted', text: 'Your API requests as they finish, from now on, while this page is open.' }),
    filters, summary, empty, tableWrap);

  const wanted = (r) => (!method.value || r.method === method.value)
    && (!status.value || String(r.status)[0] === status.value[0])
    && (!path.value.trim() || r.path.startsWith(path.value.trim()));

  const row = (r) => h('tr', { 'data-request': r.request_id },
    h('td', { 'data-label': 'Time' }, time(r.created_at)),
    h('td', { 'data-label': 'Method', text: r.method }),
    h('td', { 'data-label': 'Path' }, h('code', { text: r.path })),
    h('td', { 'data-label': 'Status' }, statusBadge(r.status)),
    h('td', { 'data-label': 'Duration', text: `${Number(r.duration_ms).toFixed(1)} ms` }),
    h('td', { 'data-label': 'Request id' }, h('code', { text: r.request_id })),
    h('td', { 'data-label': 'Idempotency key' }, r.idempotency_key ? h('code', { text: r.idempotency_key }) : '—'));

  // Drawn at most once a frame however fast requests come.
  let drawing = false;
  const draw = () => {
    if (drawing) return;
    drawing = true;
    requestAnimationFrame(() => {
      drawing = false;
      const rows = entries.filter(wanted);
      body.replaceChildren(...rows.slice(0, SHOWN).map(row));
      tableWrap.hidden = rows.length === 0;
      empty.hidden = rows.length > 0;
      empty.textContent = entries.length ? 'No request matches the filters.' : WAITING;
      summary.textContent = `${entries.length} ${entries.length === 1 ? 'request' : 'requests'} received`
        + (rows.length !== entries.length ? `, ${rows.length} match` : '')
        + (paused ? ` · paused, ${held.length} waiting` : '');
    });
  };
  for (const control of [method, status]) control.addEventListener('change', draw);
  path.addEventListener('input', draw);
  pause.addEventListener('click', () => {
    paused = !paused;
    pause.textContent = paused ? 'Resume' : 'Pause';
    if (!paused) {
      entries = [...held.reverse(), ...entries].slice(0, KEEP);
      held = [];
    }
    draw();
  });
  clear.addEventListener('click', () => {
    entries = [];
    held = [];
    draw();
  });
  draw();

  follow('/requests/stream', {
    signal,
    onState: live.set,
    onMessage: (m) => {
      if (m.event !== 'request') return;
      let r;
      try { r = JSON.parse(m.data); } catch { return; }
      const into = paused ? held : entries;
      if (paused) held.push(r);
      else entries.unshift(r);
      if (into.length > KEEP) {
        if (paused) held.shift();
        else entries.length = KEEP;
      }
      draw();
    },
  });
}
