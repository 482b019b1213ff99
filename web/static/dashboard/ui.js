// Small building blocks of the dashboard's pages.
import { h } from '/static/shared/format.js';

export const PAGE_SIZE = 20;

export function badge(status) {
  const s = String(status ?? '—');
  return h('span', { class: `badge badge-${s.toLowerCase()}`, text: s });
}

export function table(columns, rows, { empty = 'Nothing yet.', onRow } = {}) {
  if (rows.length === 0) return h('p', { class: 'empty', text: empty });
  const body = rows.map((row) => {
    const tr = h('tr', {}, columns.map((c) => h('td', { 'data-label': c.label }, c.cell(row))));
    if (onRow) tr.classList.add('clickable');
    return tr;
  });
  return h('div', { class: 'table-wrap' },
    h('table', {},
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', text: c.label })))),
      h('tbody', {}, body)));
}

// Previous / next over a list API with count and skip.
export function pager(skip, shown, onMove) {
  return h('nav', { class: 'pager', 'aria-label': 'Pages' },
    h('button', { type: 'button', disabled: skip === 0, onclick: () => onMove(Math.max(0, skip - PAGE_SIZE)),
      text: '← Previous' }),
    h('span', { class: 'pager-info', text: shown ? `${skip + 1}–${skip + shown}` : '—' }),
    h('button', { type: 'button', disabled: shown < PAGE_SIZE, onclick: () => onMove(skip + PAGE_SIZE),
      text: 'Next →' }));
}

export function errorBox(e) {
  return h('p', { class: 'error-box', role: 'alert', text: e?.message ?? String(e) });
}

export function link(href, text) {
  return h('a', { href, text });
}

// A labelled form control.
export function labelled(id, label, control) {
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id, text: label }), control);
}

export function select(options, value) {
  return h('select', {}, options.map(([v, label]) =>
    h('option', { value: v, selected: v === value, text: label })));
}

// "123.45" (major units) -> 12345 minor units, without floating point.
export function parseMajor(text) {
  const m = String(text).trim().match(/^(\d+)(?:\.(\d{1,2}))?$/);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

// The state of a live stream, beside a page's heading (sse.js's onState).
export function liveIndicator() {
  const el = h('p', { class: 'live', role: 'status', 'data-testid': 'live-state', 'data-state': 'connecting',
    text: 'Connecting…' });
  const set = (state, error) => {
    el.dataset.state = state;
    el.textContent = {
      connecting: 'Connecting…',
      live: 'Live',
      reconnecting: `Reconnecting… (${error?.message ?? 'the stream ended'})`,
      stopped: `Stopped: ${error?.message ?? 'the stream ended'}`,
    }[state] ?? state;
  };
  return { el, set };
}
