// The Events pages: every event of the merchant, newest first, kept up to
// date by the events stream; one event's payload, its deliveries and a
// resend. `signal` aborts when the page is left: the stream and the polling
// stop with it.
import { h, formatTime } from '/static/shared/format.js';
import * as api from '/static/dashboard/api.js';
import { follow } from '/static/dashboard/sse.js';
import {
  PAGE_SIZE, badge, table, pager, errorBox, link, labelled, select, liveIndicator,
} from '/static/dashboard/ui.js';
import { EVENTS, title, detailRows, attempts } from '/static/dashboard/pages.js';

// How long the list waits for the stream to open before it loads anyway
// (an event listed and streamed both is shown once; see events()).
const OPEN_WAIT_MS = 3000;
const POLL_MS = 1000;
// Pending deliveries are followed this long at most (from the page's opening
// or the last resend).
const WATCH_MS = 120000;

const sleep = (ms, signal) => new Promise((resolve) => {
  const t = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
});

// The object an event is about: its refund, or its payment.
function objectOf(e) {
  const refund = e.data?.refund;
  if (refund) return { kind: 'refund', id: refund.id, paymentId: refund.payment_id };
  const payment = e.data?.payment;
  if (payment) return { kind: 'payment', id: payment.id };
  return null;
}

function objectCell(e) {
  const o = objectOf(e);
  if (!o) return '—';
  if (o.kind === 'payment') return link(`#/payments/${encodeURIComponent(o.id)}`, o.id);
  return h('span', {}, h('code', { text: o.id }),
    o.paymentId ? [' · ', link(`#/payments/${encodeURIComponent(o.paymentId)}`, o.paymentId)] : []);
}

function hashFor(route, values) {
  const q = new URLSearchParams(values);
  for (const [k, v] of [...q]) if (!v || (k === 'skip' && v === '0')) q.delete(k);
  return `#/${route}${q.toString() ? `?${q}` : ''}`;
}

export async function events(view, params, signal) {
  const skip = Math.max(0, Number(params.get('skip') ?? 0) || 0);
  const type = params.get('type') ?? '';
  const objectId = (params.get('object_id') ?? '').trim();
  const go = (changes) => {
    location.hash = hashFor('events', { type, object_id: objectId, skip: String(skip), ...changes });
  };

  const typeSelect = select([['', 'Any type'], ...EVENTS.map((e) => [e, e])], type);
  typeSelect.addEventListener('change', () => go({ type: typeSelect.value, skip: '0' }));
  const objectInput = h('input', { type: 'search', value: objectId, spellcheck: 'false',
    placeholder: 'pay_… or refund_…' });
  const filters = h('form', { class: 'filters', 'aria-label': 'Filters' },
    labelled('filter-type', 'Type', typeSelect),
    labelled('filter-object', 'Object id', objectInput),
    h('button', { type: 'submit', class: 'filter-apply', text: 'Apply' }));
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    go({ object_id: objectInput.value.trim(), skip: '0' });
  });

  const live = liveIndicator();
  const newer = h('p', { class: 'notice', role: 'status', hidden: true });
  const list = h('div', { 'data-testid': 'events-list' }, h('p', { text: 'Loading…' }));
  view.replaceChildren(title('Events', live.el), filters, newer, list);

  let items = [];
  const shown = new Set();
  const fresh = new Set();
  let newerCount = 0;
  let loaded = false;
  const waiting = [];

  const columns = [
    { label: 'Event', cell: (e) => h('span', {},
      link(`#/events/${encodeURIComponent(e.id)}`, e.id),
      fresh.has(e.id) ? [' ', h('span', { class: 'badge badge-new', text: 'new' })] : []) },
    { label: 'Type', cell: (e) => h('code', { text: e.event }) },
    { label: 'Object', cell: objectCell },
    { label: 'Created', cell: (e) => formatTime(e.created_at) },
  ];
  const render = () => list.replaceChildren(
    table(columns, items, { empty: type || objectId ? 'No events match.' : 'No events yet.' }),
    pager(skip, items.length, (s) => go({ skip: String(s) })));

  const matches = (e) => (!type || e.event === type) && (!objectId || objectOf(e)?.id === objectId);
  // An event the page has not shown yet: on the first page it goes on top;
  // on a later one the page says how many newer ones there are.
  const add = (e) => {
    if (shown.has(e.id) || !matches(e)) return;
    shown.add(e.id);
    if (skip > 0) {
      newerCount += 1;
      newer.hidden = false;
      newer.replaceChildren(`${newerCount} newer ${newerCount === 1 ? 'event' : 'events'} · `,
        link(hashFor('events', { type, object_id: objectId }), 'Show the newest'));
      return;
    }
    fresh.add(e.id);
    items = [e, ...items].slice(0, PAGE_SIZE);
    render();
  };
  const fetchPage = () => api.get(`/events${api.query({ count: PAGE_SIZE, skip, type, object_id: objectId })}`);

  // The stream opens first and the list is read after it: an event committed
  // in between comes by both, and is shown once.
  let opened;
  const open = new Promise((resolve) => { opened = resolve; });
  follow(`/events/stream${api.query({ types: type })}`, {
    signal,
    resumable: true,
    onState: (state, error) => {
      live.set(state, error);
      if (state !== 'connecting') opened();
    },
    onOpen: async ({ resumed }) => {
      opened();
      // Back without an id to go on from (no event had come yet): what came
      // meanwhile is read from the list instead.
      if (!resumed && loaded && skip === 0) {
        try {
          const page = await fetchPage();
          for (const e of page.items.slice().reverse()) add(e);
        } catch { /* the next event or reconnection tries again */ }
      }
    },
    onMessage: (m) => {
      let e;
      try { e = JSON.parse(m.data); } catch { return; }
      if (loaded) add(e);
      else waiting.push(e);
    },
  });
  await Promise.race([open, sleep(OPEN_WAIT_MS, signal)]);
  if (signal.aborted) return;
  try {
    const page = await fetchPage();
    items = page.items;
    for (const e of items) shown.add(e.id);
    loaded = true;
    render();
    for (const e of waiting.splice(0)) add(e);
  } catch (e) {
    list.replaceChildren(errorBox(e));
    if (e.status === 401) throw e;
  }
}

// ---- one event -------------------------------------------------------------------

function deliveryColumns(hooks) {
  return [
    { label: 'Delivery', cell: (d) => h('code', { text: d.id }) },
    { label: 'Endpoint', cell: (d) => h('code', { text: hooks.get(d.webhook_id)?.url ?? d.webhook_id }) },
    { label: 'Status', cell: (d) => badge(d.status) },
    { label: 'Attempts', cell: (d) => String(d.attempts) },
    { label: 'Response', cell: (d) => d.response_code ?? '—' },
    { label: 'Created', cell: (d) => formatTime(d.created_at) },
    { label: 'Attempts log', cell: (d) => {
      const holder = h('div');
      return h('details', { ontoggle: (e) => { if (e.target.open) attempts(d, holder); } },
        h('summary', { text: 'Every attempt' }), holder);
    } },
  ];
}

function resendForm(e, hooks, onSent) {
  // Resends go to paygate-format endpoints: the event's body is in that format.
  const options = [...hooks.values()].filter((w) => w.active && w.format !== 'razorpay')
    .map((w) => [w.id, w.url]);
  const target = select([['', 'Every endpoint subscribed to it'], ...options], '');
  const msg = h('p', { class: 'form-msg', role: 'status', 'data-testid': 'resend-msg' });
  const button = h('button', { type: 'submit', text: 'Resend' });
  const form = h('form', { class: 'inline-form card', 'aria-label': 'Resend the event' },
    h('h2', { text: 'Resend' }),
    h('p', { class: 'muted', text: 'A fresh delivery of the same body, signed anew.' }),
    labelled('resend-target', 'Send to', target), button, msg);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    button.disabled = true;
    msg.textContent = '';
    try {
      const r = await api.post(`/events/${encodeURIComponent(e.id)}/resend`,
        target.value ? { webhook_id: target.value } : {});
      msg.textContent = r.count === 0
        ? `No active endpoint subscribes to ${e.event}; nothing was sent.`
        : `Resent: ${r.count} new ${r.count === 1 ? 'delivery' : 'deliveries'} queued.`;
      onSent(r.items ?? []);
    } catch (err) {
      msg.textContent = err.message;
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

export async function event(view, params, id, signal) {
  view.replaceChildren(title('Event'), h('p', { text: 'Loading…' }));
  let e;
  let hooks;
  try {
    const [got, list] = await Promise.all([
      api.get(`/events/${encodeURIComponent(id)}`),
      api.get('/webhooks').catch(() => []),
    ]);
    e = got;
    hooks = new Map(list.map((w) => [w.id, w]));
  } catch (err) {
    view.replaceChildren(title('Event'), errorBox(err));
    if (err.status === 401) throw err;
    return;
  }
  const o = objectOf(e);
  const deliveries = h('div', { 'data-testid': 'deliveries' }, h('p', { text: 'Loading…' }));
  const columns = deliveryColumns(hooks);
  let last = '';
  // Redrawn only when something changed, so an open attempts log stays open.
  const load = async () => {
    const list = await api.get(`/webhook-logs${api.query({ event_id: e.id, count: 100 })}`);
    const text = JSON.stringify(list);
    if (text !== last) {
      last = text;
      deliveries.replaceChildren(table(columns, list, {
        empty: 'No deliveries: no endpoint subscribed to this event when it happened.' }));
    }
    return list;
  };
  // Follows the deliveries while some are pending or a resent one has not
  // shown yet, for WATCH_MS at most, then stops.
  const expected = new Set();
  let watching = false;
  let until = 0;
  const watch = async () => {
    until = Date.now() + WATCH_MS;
    if (watching) return;
    watching = true;
    try {
      while (!signal.aborted) {
        let list;
        try {
          list = await load();
        } catch (err) {
          deliveries.replaceChildren(errorBox(err));
          break;
        }
        for (const d of list) if (d.status !== 'pending') expected.delete(d.id);
        if (expected.size === 0 && !list.some((d) => d.status === 'pending')) break;
        if (Date.now() > until) break;
        await sleep(POLL_MS, signal);
      }
    } finally {
      watching = false;
    }
  };

  view.replaceChildren(
    title(`Event ${e.id}`),
    h('section', { 'aria-label': 'Event', 'data-testid': 'event-details' }, detailRows([
      ['Type', h('code', { text: e.event })],
      ['Object', o ? objectCell(e) : '—'],
      ['Created', formatTime(e.created_at)],
    ])),
    h('h2', { text: 'Payload' }),
    h('p', { class: 'muted', text: 'The body its webhooks carry.' }),
    h('pre', { class: 'code payload', 'data-testid': 'payload' }, h('code', { text: JSON.stringify(e, null, 2) })),
    h('h2', { text: 'Deliveries' }),
    deliveries,
    resendForm(e, hooks, (made) => {
      for (const d of made) expected.add(d.id);
      watch();
    }),
    h('p', {}, link('#/events', '← All events')));
  watch();
}
