// The merchant dashboard: sign in with the API key and secret, then pages
// behind a hash router (#/overview, #/payments/pay_…), so that no credential
// is ever in a URL and reloading a page keeps the place.
import { h } from '/static/shared/format.js';
import * as api from '/static/dashboard/api.js';
import * as pages from '/static/dashboard/pages.js';
import * as events from '/static/dashboard/events.js';
import { requestLog } from '/static/dashboard/requests.js';

const root = document.getElementById('app');

const NAV = [
  ['overview', 'Overview'], ['orders', 'Orders'], ['payments', 'Payments'], ['refunds', 'Refunds'],
  ['webhooks', 'Webhooks'], ['webhook-logs', 'Webhook logs'], ['events', 'Events'], ['requests', 'Request log'],
  ['keys', 'API keys'],
];

function signInPage(message) {
  const key = h('input', { type: 'text', autocomplete: 'username', required: true, spellcheck: 'false',
    placeholder: 'key_…' });
  const secret = h('input', { type: 'password', autocomplete: 'current-password', required: true,
    placeholder: 'secret_…' });
  const msg = h('p', { class: 'form-msg', role: 'alert', text: message ?? '' });
  const button = h('button', { type: 'submit', text: 'Sign in' });
  const form = h('form', { class: 'signin card', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title', text: 'paygate dashboard' }),
    h('p', { class: 'muted', text: 'Sign in with your API key and secret. They stay in this tab only.' }),
    h('div', { class: 'field' }, h('label', { for: 'signin-key', text: 'API key' }), key),
    h('div', { class: 'field' }, h('label', { for: 'signin-secret', text: 'API secret' }), secret),
    button, msg);
  key.id = 'signin-key';
  secret.id = 'signin-secret';
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    button.disabled = true;
    msg.textContent = '';
    try {
      await api.signIn(key.value.trim(), secret.value);
      if (!location.hash || location.hash === '#/') location.hash = '#/overview';
      else route();
    } catch (err) {
      msg.textContent = err.status === 401 ? 'That key and secret do not match.' : err.message;
    } finally {
      button.disabled = false;
    }
  });
  root.replaceChildren(h('main', { class: 'signin-wrap' }, form));
  key.focus();
}

function shell(current) {
  const view = h('main', { id: 'view', class: 'view' });
  const nav = h('nav', { class: 'nav', 'aria-label': 'Dashboard' },
    h('p', { class: 'brand', text: 'paygate' }),
    h('ul', {}, NAV.map(([id, label]) => h('li', {},
      h('a', { href: `#/${id}`, 'aria-current': id === current ? 'page' : null, text: label })))),
    h('button', { type: 'button', class: 'signout', text: 'Sign out',
      onclick: () => { leave(); api.signOut(); location.hash = '#/'; signInPage(); } }));
  root.replaceChildren(h('div', { class: 'layout' }, nav, view));
  return view;
}

// The shown page's lifetime: aborted when another page is shown or this one
// is left, which ends its streams and polling.
let lifetime = new AbortController();
function leave() {
  lifetime.abort();
  lifetime = new AbortController();
  return lifetime.signal;
}

async function route() {
  const signal = leave();
  if (!api.credentials()) return signInPage();
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, q = ''] = hash.split('?');
  const params = new URLSearchParams(q);
  const [page = 'overview', id] = path.split('/');
  const view = shell(page);
  const show = {
    overview: () => pages.overview(view, params),
    orders: () => pages.orders(view, params),
    payments: () => (id ? pages.payment(view, params, decodeURIComponent(id)) : pages.payments(view, params)),
    refunds: () => pages.refunds(view, params),
    webhooks: () => pages.webhooks(view, params),
    'webhook-logs': () => pages.webhookLogs(view, params),
    events: () => (id ? events.event(view, params, decodeURIComponent(id), signal)
      : events.events(view, params, signal)),
    requests: () => requestLog(view, signal),
    keys: () => pages.keys(view, params),
  }[page] ?? (() => pages.overview(view, params));
  try {
    await show();
  } catch (e) {
    if (e.status === 401) {
      api.signOut();
      return signInPage('Your key was refused; sign in again.');
    }
    view.append(h('p', { class: 'error-box', role: 'alert', text: e.message }));
  }
  view.querySelector('h1')?.focus();
}

window.addEventListener('hashchange', route);
// Streams end with the page; one kept in the back/forward cache starts anew.
window.addEventListener('pagehide', leave);
window.addEventListener('pageshow', (e) => { if (e.persisted) route(); });
route();
