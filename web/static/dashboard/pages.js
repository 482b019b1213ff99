// The dashboard's pages. Each takes the view element and the route's
// parameters and fills the view; text from the API goes in as text only.
import { h, formatMoney, formatTime } from '/static/shared/format.js';
import * as api from '/static/dashboard/api.js';
import {
  PAGE_SIZE, badge, table, pager, errorBox, link, labelled, select, parseMajor,
} from '/static/dashboard/ui.js';
import { barChart } from '/static/dashboard/chart.js';

export const EVENTS = ['payment.success', 'payment.failed', 'payment.captured', 'refund.processed',
  'refund.failed'];

export function title(text, ...extra) {
  return h('div', { class: 'page-head' }, h('h1', { tabindex: '-1', text }), ...extra);
}

function money(o) {
  return formatMoney(o.amount, o.currency ?? 'INR');
}

// A list page: fetches with count/skip (and the page's filters), renders a
// table and the pager; filters and paging live in the URL's hash query.
async function listPage(view, { heading, path, filters = [], columns, empty, params, route, before }) {
  const skip = Math.max(0, Number(params.get('skip') ?? 0) || 0);
  const filterValues = Object.fromEntries(filters.map((f) => [f.name, params.get(f.name) ?? '']));
  const go = (changes) => {
    const q = new URLSearchParams({ ...filterValues, skip: String(skip), ...changes });
    for (const [k, v] of [...q]) if (!v || (k === 'skip' && v === '0')) q.delete(k);
    location.hash = `#/${route}${q.toString() ? `?${q}` : ''}`;
  };
  const filterBar = filters.length ? h('form', { class: 'filters', 'aria-label': 'Filters' },
    filters.map((f) => {
      const control = select(f.options, filterValues[f.name]);
      control.addEventListener('change', () => go({ [f.name]: control.value, skip: '0' }));
      return labelled(`filter-${f.name}`, f.label, control);
    })) : null;
  view.replaceChildren(title(heading), before ?? '', filterBar ?? '', h('p', { text: 'Loading…' }));
  try {
    const data = await api.get(`${path}${api.query({ count: PAGE_SIZE, skip, ...filterValues })}`);
    const items = Array.isArray(data) ? data : data.items;
    view.replaceChildren(title(heading), before ?? '', filterBar ?? '',
      table(columns, items, { empty }), pager(skip, items.length, (s) => go({ skip: String(s) })));
  } catch (e) {
    view.replaceChildren(title(heading), before ?? '', filterBar ?? '', errorBox(e));
  }
}

// ---- overview ---------------------------------------------------------------

function stat(label, value, testid) {
  return h('div', { class: 'stat' }, h('p', { class: 'stat-label', text: label }),
    h('p', { class: 'stat-value', 'data-testid': testid, text: value }));
}

const pct = (v) => (v === undefined || v === null ? '—' : `${Number(v).toFixed(2)}%`);
const sec = (v) => (v === undefined || v === null ? '—' : `${Number(v).toFixed(2)} s`);

// Payments per hour over the last 24 hours, counted from the payments list
// (up to 1000 payments: 10 pages of 100).
async function hourlyBars() {
  const now = Date.now();
  const hourMs = 3600 * 1000;
  const start = Math.floor(now / hourMs) * hourMs - 23 * hourMs;
  const counts = new Array(24).fill(0);
  for (let skip = 0; skip < 1000; skip += 100) {
    const page = await api.get(`/payments${api.query({ count: 100, skip, from: Math.floor(start / 1000) })}`);
    for (const p of page.items) {
      const i = Math.floor((Date.parse(p.created_at) - start) / hourMs);
      if (i >= 0 && i < 24) counts[i] += 1;
    }
    if (page.items.length < 100) break;
  }
  return counts.map((value, i) => {
    const d = new Date(start + i * hourMs);
    const label = `${String(d.getHours()).padStart(2, '0')}:00`;
    return { label, value, title: `${label}: ${value} payments` };
  });
}

export async function overview(view) {
  view.replaceChildren(title('Overview'), h('p', { text: 'Loading…' }));
  const parts = [title('Overview')];
  try {
    const s = await api.get('/admin/stats');
    const p = s.payments ?? {};
    const w = s.webhooks ?? {};
    const l = s.latency_sec ?? {};
    const r = s.refunds ?? {};
    parts.push(
      h('section', { 'aria-labelledby': 'h-payments' }, h('h2', { id: 'h-payments', text: 'Payments' }),
        h('div', { class: 'stats' },
          stat('Total', String(p.total ?? 0), 'stat-payments-total'),
          stat('Successful', String(p.success ?? 0), 'stat-payments-success'),
          stat('Failed', String(p.failed ?? 0), 'stat-payments-failed'),
          stat('Processing', String(p.processing ?? 0), 'stat-payments-processing'),
          stat('Success rate', pct(p.success_rate_pct), 'stat-success-rate'),
          stat('Failure rate', pct(p.failure_rate_pct), 'stat-failure-rate'))),
      h('section', { 'aria-labelledby': 'h-latency' }, h('h2', { id: 'h-latency', text: 'Processing latency' }),
        h('div', { class: 'stats' },
          stat('p50', sec(l.p50), 'stat-p50'), stat('p95', sec(l.p95), 'stat-p95'),
          stat('p99', sec(l.p99), 'stat-p99'), stat('Average', sec(l.avg), 'stat-avg'),
          stat('Min', sec(l.min), 'stat-min'), stat('Max', sec(l.max), 'stat-max'))),
      h('section', { 'aria-labelledby': 'h-refunds' }, h('h2', { id: 'h-refunds', text: 'Refunds and webhooks' }),
        h('div', { class: 'stats' },
          stat('Refunds', String(r.total ?? 0), 'stat-refunds-total'),
          stat('Refunded', formatMoney(r.amount_refunded ?? 0, 'INR'), 'stat-refunded'),
          stat('Pending refunds', String(r.pending ?? 0), 'stat-refunds-pending'),
          stat('Webhook deliveries', String(w.total ?? 0), 'stat-webhooks-total'),
          stat('Webhook success', pct(w.success_rate_pct), 'stat-webhooks-rate'),
          stat('Webhook retries', String(w.retries ?? 0), 'stat-webhooks-retries'))));
  } catch (e) {
    parts.push(errorBox(e.status === 404
      ? new Error('Statistics are not available on this server version.') : e));
  }
  try {
    const bars = await hourlyBars();
    parts.push(h('section', { 'aria-labelledby': 'h-hourly' },
      h('h2', { id: 'h-hourly', text: 'Payments per hour (last 24 hours)' }),
      barChart(bars, { label: 'Payments per hour, last 24 hours' })));
  } catch (e) {
    parts.push(errorBox(e));
  }
  view.replaceChildren(...parts);
}

// ---- orders, payments, refunds ------------------------------------------------

export function orders(view, params) {
  return listPage(view, {
    heading: 'Orders', path: '/orders', route: 'orders', params, empty: 'No orders yet.',
    columns: [
      { label: 'Order', cell: (o) => h('code', { text: o.id }) },
      { label: 'Amount', cell: money },
      { label: 'Status', cell: (o) => badge(o.status) },
      { label: 'Receipt', cell: (o) => o.receipt ?? '—' },
      { label: 'Payments', cell: (o) => link(`#/payments?order_id=${encodeURIComponent(o.id)}`, 'View') },
      { label: 'Created', cell: (o) => formatTime(o.created_at) },
    ],
  });
}

export function payments(view, params) {
  const orderId = params.get('order_id');
  return listPage(view, {
    heading: 'Payments', path: '/payments', route: 'payments', params, empty: 'No payments match.',
    before: orderId ? h('p', {}, 'Order ', h('code', { text: orderId }), ' · ',
      link('#/payments', 'all payments')) : null,
    filters: [
      { name: 'status', label: 'Status', options: [['', 'Any status'], ['CREATED', 'Created'],
        ['PROCESSING', 'Processing'], ['SUCCESS', 'Success'], ['FAILED', 'Failed']] },
      { name: 'method', label: 'Method', options: [['', 'Any method'], ['upi', 'UPI'], ['card', 'Card']] },
      ...(orderId ? [{ name: 'order_id', label: 'Order', options: [[orderId, orderId]] }] : []),
    ],
    columns: [
      { label: 'Payment', cell: (p) => link(`#/payments/${encodeURIComponent(p.id)}`, p.id) },
      { label: 'Amount', cell: money },
      { label: 'Method', cell: (p) => (p.method === 'card'
        ? `${p.card_network ?? 'card'} •••• ${p.card_last4 ?? ''}` : `UPI ${p.vpa ?? ''}`) },
      { label: 'Status', cell: (p) => badge(p.status) },
      { label: 'Refunded', cell: (p) => (p.amount_refunded ? formatMoney(p.amount_refunded, p.currency) : '—') },
      { label: 'Created', cell: (p) => formatTime(p.created_at) },
    ],
  });
}

export function detailRows(pairs) {
  return h('dl', { class: 'details' }, pairs.filter(([, v]) => v !== undefined).flatMap(([k, v]) =>
    [h('dt', { text: k }), h('dd', {}, v === null || v === '' ? '—' : v)]));
}

// left: what the refunds not FAILED (pending ones too) leave of the amount.
function refundForm(p, left, onDone) {
  const amount = h('input', { type: 'text', inputmode: 'decimal', required: true,
    value: (left / 100).toFixed(2) });
  const reason = h('input', { type: 'text', maxlength: '255', placeholder: 'Customer request' });
  const msg = h('p', { class: 'form-msg', role: 'status' });
  const form = h('form', { class: 'inline-form', 'aria-label': 'Issue a refund' },
    labelled('refund-amount', `Amount (${p.currency}, at most ${formatMoney(left, p.currency)})`, amount),
    labelled('refund-reason', 'Reason (optional)', reason),
    h('button', { type: 'submit', text: 'Refund' }), msg);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const minor = parseMajor(amount.value);
    if (!minor || minor <= 0) { msg.textContent = 'Enter an amount such as 100.00'; return; }
    if (minor > left) { msg.textContent = `At most ${formatMoney(left, p.currency)} is left to refund`; return; }
    try {
      const body = { payment_id: p.id, amount: minor };
      if (reason.value.trim()) body.reason = reason.value.trim();
      const r = await api.post('/refunds', body);
      onDone(`Refund ${r.id} created (${r.status}).`);
    } catch (err) {
      msg.textContent = err.message;
    }
  });
  return form;
}

// Everything that happened to the payment, from its own timestamps and its
// refunds' (every state change the API exposes).
function timeline(p, refunds) {
  const items = [{ at: p.created_at, text: `Payment created (${p.method})` }];
  if (p.status === 'SUCCESS') items.push({ at: p.updated_at, text: p.captured ? 'Succeeded, captured' : 'Succeeded (authorized)' });
  else if (p.status === 'FAILED') items.push({ at: p.updated_at, text: `Failed: ${p.error_code ?? ''} ${p.error_description ?? ''}` });
  else items.push({ at: p.updated_at, text: `Now ${p.status}` });
  for (const r of refunds) {
    items.push({ at: r.created_at, text: `Refund ${r.id} of ${formatMoney(r.amount, p.currency)} requested` });
    if (r.status !== 'PENDING') items.push({ at: r.updated_at, text: `Refund ${r.id} ${r.status}` });
  }
  items.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return h('ol', { class: 'timeline', 'data-testid': 'timeline' },
    items.map((i) => h('li', {}, h('time', { datetime: i.at, text: formatTime(i.at) }), ' ', i.text)));
}

export async function payment(view, params, id, notice = '') {
  view.replaceChildren(title('Payment'), h('p', { text: 'Loading…' }));
  try {
    const [p, refunds] = await Promise.all([
      api.get(`/payments/${encodeURIComponent(id)}`),
      api.get(`/refunds${api.query({ payment_id: id, count: 100 })}`),
    ]);
    const reload = (message = '') => payment(view, params, id, message);
    const capture = p.status === 'SUCCESS' && !p.captured
      ? h('button', { type: 'button', onclick: async () => { await api.post(`/payments/${p.id}/capture`); reload(); },
        text: 'Capture' }) : null;
    const left = p.amount - refunds.items.filter((r) => r.status !== 'FAILED')
      .reduce((sum, r) => sum + r.amount, 0);
    const refundable = p.status === 'SUCCESS' && p.captured && left > 0;
    view.replaceChildren(
      title(`Payment ${p.id}`, capture ?? ''),
      notice ? h('p', { class: 'notice', role: 'status', text: notice }) : '',
      detailRows([
        ['Status', badge(p.status)], ['Amount', money(p)], ['Captured', p.captured ? 'yes' : 'no'],
        ['Method', p.method], ['VPA', p.vpa], ['Card', p.card_last4 ? `${p.card_network} •••• ${p.card_last4}` : undefined],
        ['Order', h('code', { text: p.order_id })], ['Refunded', formatMoney(p.amount_refunded ?? 0, p.currency)],
        ['Error', p.error_code ? `${p.error_code}: ${p.error_description}` : null],
        ['Created', formatTime(p.created_at)], ['Updated', formatTime(p.updated_at)],
      ]),
      h('h2', { text: 'Refunds' }),
      table([
        { label: 'Refund', cell: (r) => h('code', { text: r.id }) },
        { label: 'Amount', cell: (r) => formatMoney(r.amount, p.currency) },
        { label: 'Status', cell: (r) => badge(r.status) },
        { label: 'Reason', cell: (r) => r.reason ?? '—' },
        { label: 'Created', cell: (r) => formatTime(r.created_at) },
      ], refunds.items, { empty: 'No refunds.' }),
      refundable ? refundForm(p, left, reload) : '',
      h('h2', { text: 'Events' }),
      timeline(p, refunds.items),
      h('p', {}, link(`#/events?object_id=${encodeURIComponent(p.id)}`, 'Its webhook events and deliveries →')));
  } catch (e) {
    view.replaceChildren(title('Payment'), errorBox(e));
  }
}

export function refunds(view, params) {
  return listPage(view, {
    heading: 'Refunds', path: '/refunds', route: 'refunds', params,
    empty: 'No refunds yet. Issue one from a payment’s page.',
    columns: [
      { label: 'Refund', cell: (r) => h('code', { text: r.id }) },
      { label: 'Payment', cell: (r) => link(`#/payments/${encodeURIComponent(r.payment_id)}`, r.payment_id) },
      { label: 'Amount', cell: (r) => formatMoney(r.amount, r.currency ?? 'INR') },
      { label: 'Status', cell: (r) => badge(r.status) },
      { label: 'Reason', cell: (r) => r.reason ?? '—' },
      { label: 'Created', cell: (r) => formatTime(r.created_at) },
    ],
  });
}

// ---- webhooks ------------------------------------------------------------------

function eventBoxes(prefix, selected) {
  return h('fieldset', { class: 'events' }, h('legend', { text: 'Events' }),
    EVENTS.map((ev) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: 'events', value: ev, id: `${prefix}-${ev}`,
        checked: !selected || selected.includes(ev) }), ` ${ev}`)));
}

function checkedEvents(form) {
  return [...form.querySelectorAll('input[name=events]:checked')].map((i) => i.value);
}

function secretNotice(text, secret) {
  return h('div', { class: 'notice', role: 'status' }, h('p', { text }),
    h('code', { class: 'secret', 'data-testid': 'webhook-secret', text: secret }));
}

function endpointCard(w, refresh, notify) {
  const url = h('input', { type: 'url', required: true, value: w.url });
  const active = h('input', { type: 'checkbox', checked: w.active });
  const msg = h('p', { class: 'form-msg', role: 'status' });
  const edit = h('form', { class: 'inline-form', 'aria-label': `Edit webhook ${w.url}` },
    labelled(`url-${w.id}`, 'URL', url), eventBoxes(`ev-${w.id}`, w.events),
    h('label', { class: 'check' }, active, ' Active'),
    h('button', { type: 'submit', text: 'Save' }));
  edit.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api.patch(`/webhooks/${w.id}`, { url: url.value, events: checkedEvents(edit), active: active.checked });
      msg.textContent = 'Saved.';
    } catch (err) { msg.textContent = err.message; }
  });
  const act = (label, fn) => h('button', { type: 'button', text: label, onclick: async () => {
    try { await fn(); } catch (err) { msg.textContent = err.message; }
  } });
  return h('article', { class: 'card', 'data-webhook': w.id },
    h('h3', {}, h('code', { text: w.url }), ' ', badge(w.active ? 'active' : 'inactive')),
    h('p', { class: 'muted', text: `id ${w.id} · events: ${w.events.join(', ')}` }),
    h('div', { class: 'actions' },
      act('Send test event', async () => {
        const r = await api.post(`/webhooks/${w.id}/test`);
        msg.textContent = `${r.message} (log ${r.log_id}).`;
      }),
      act('Rotate secret', async () => {
        const r = await api.post(`/webhooks/${w.id}/rotate-secret`);
        notify(secretNotice('New signing secret (the old one keeps working for 24 hours). Copy it now:', r.secret));
      }),
      act('Delete', async () => {
        if (!window.confirm(`Delete the webhook ${w.url}?`)) return;
        await api.del(`/webhooks/${w.id}`);
        refresh();
      }),
      link(`#/webhook-logs?webhook_id=${encodeURIComponent(w.id)}`, 'Logs')),
    msg,
    h('details', {}, h('summary', { text: 'Edit' }), edit));
}

export async function webhooks(view) {
  const notices = h('div', { class: 'notices' });
  const refresh = () => webhooks(view);
  const url = h('input', { type: 'url', required: true, placeholder: 'https://example.com/hooks/paygate' });
  const msg = h('p', { class: 'form-msg', role: 'status' });
  const form = h('form', { class: 'inline-form card', 'aria-label': 'Register a webhook' },
    h('h2', { text: 'Register a webhook' }), labelled('new-webhook-url', 'URL', url),
    eventBoxes('new', null), h('button', { type: 'submit', text: 'Register' }), msg);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const w = await api.post('/webhooks', { url: url.value, events: checkedEvents(form) });
      await webhooks(view);
      view.querySelector('.notices').append(
        secretNotice(`Registered ${w.url}. Its signing secret is shown only now:`, w.secret));
    } catch (err) { msg.textContent = err.message; }
  });
  view.replaceChildren(title('Webhooks', link('#/webhook-logs', 'Delivery logs →')), notices,
    h('p', { text: 'Loading…' }));
  try {
    const list = await api.get('/webhooks');
    view.replaceChildren(title('Webhooks', link('#/webhook-logs', 'Delivery logs →')), notices,
      list.length ? h('div', { class: 'cards' }, list.map((w) => endpointCard(w, refresh, (n) => notices.append(n))))
        : h('p', { class: 'empty', text: 'No webhooks yet.' }),
      form);
  } catch (e) {
    view.replaceChildren(title('Webhooks'), errorBox(e));
  }
}

// Fills holder with the attempts of one delivery (the webhook log entry).
export async function attempts(entry, holder) {
  try {
    const d = await api.get(`/webhook-logs/${entry.id}`);
    holder.replaceChildren(table([
      { label: '#', cell: (a) => String(a.number) },
      { label: 'At', cell: (a) => formatTime(a.attempted_at) },
      { label: 'Response', cell: (a) => (a.response_code === null ? '—' : String(a.response_code)) },
      { label: 'Time', cell: (a) => `${a.duration_ms} ms` },
      { label: 'Error', cell: (a) => a.error ?? '—' },
      { label: 'Body', cell: (a) => h('code', { class: 'clip', text: a.response_body ?? '' }) },
    ], d.attempt_log ?? [], { empty: 'No attempt yet.' }));
  } catch (e) {
    holder.replaceChildren(errorBox(e));
  }
}

export function webhookLogs(view, params) {
  const reload = () => webhookLogs(view, params);
  return listPage(view, {
    heading: 'Webhook deliveries', path: '/webhook-logs', route: 'webhook-logs', params,
    empty: 'No deliveries yet.',
    filters: [
      { name: 'status', label: 'Status', options: [['', 'Any status'], ['pending', 'Pending'],
        ['success', 'Success'], ['failed', 'Failed']] },
      ...(params.get('webhook_id') ? [{ name: 'webhook_id', label: 'Webhook',
        options: [[params.get('webhook_id'), params.get('webhook_id')], ['', 'All webhooks']] }] : []),
    ],
    columns: [
      { label: 'Event', cell: (d) => d.event_type },
      { label: 'Status', cell: (d) => badge(d.status) },
      { label: 'Attempts', cell: (d) => String(d.attempts) },
      { label: 'Response', cell: (d) => d.response_code ?? '—' },
      { label: 'Created', cell: (d) => formatTime(d.created_at) },
      { label: 'Attempts log', cell: (d) => {
        const holder = h('div');
        return h('details', { ontoggle: (e) => { if (e.target.open) attempts(d, holder); } },
          h('summary', { text: 'Every attempt' }), holder);
      } },
      { label: '', cell: (d) => h('button', { type: 'button', class: 'retry', 'data-log': d.id, text: 'Retry',
        onclick: async (e) => {
          e.target.disabled = true;
          try {
            const r = await api.post(`/webhook-logs/${d.id}/retry`);
            e.target.textContent = r.message ?? 'Queued';
            setTimeout(reload, 1500);
          } catch (err) {
            e.target.textContent = err.message;
          }
        } }) },
    ],
  });
}

// ---- API keys ------------------------------------------------------------------

export function keys(view) {
  const creds = api.credentials();
  const base = `${location.origin}/api/v1`;
  const curl = [
    `export PAYGATE_KEY=${creds.key}`,
    'export PAYGATE_SECRET=…   # the secret you signed in with; it is never shown again',
    '',
    `curl -s -X POST ${base}/orders \\`,
    '  -H "X-Api-Key: $PAYGATE_KEY" -H "X-Api-Secret: $PAYGATE_SECRET" \\',
    "  -H 'Content-Type: application/json' \\",
    `  -d '{"amount": 50000, "currency": "INR", "receipt": "receipt_001"}'`,
    '',
    '# then send the shopper to the hosted checkout:',
    `#   ${location.origin}/checkout?order_id=ORDER_ID&key_id=${creds.key}`,
  ].join('\n');
  view.replaceChildren(
    title('API keys'),
    detailRows([
      ['Key (publishable)', h('code', { 'data-testid': 'api-key', text: creds.key })],
      ['Secret', 'Stored only as a hash; shown once, when the merchant is created.'],
    ]),
    h('h2', { text: 'Start with curl' }),
    h('pre', { class: 'code', 'data-testid': 'curl' }, h('code', { text: curl })),
    h('p', {}, 'The checkout SDK: ', link('/demo', 'demo page'), ' (test mode) and docs/CHECKOUT.md.'));
}
