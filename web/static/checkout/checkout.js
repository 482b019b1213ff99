// The hosted checkout: /checkout?order_id=…&key_id=… (key optional in test
// mode). Shows the order, takes UPI or a card, pays once per attempt (an
// Idempotency-Key per attempt, so a double click pays once), polls the
// payment, and shows success or the failure reason with "try again".
// A payment whose instrument asks its shopper to authenticate (next_action:
// an OTP for cards, an approval for UPI) goes through that step here, in the
// flow, before the polling.
// Inside checkout.js's modal (embed=1) it reports to the merchant's page with
// postMessage, to the origin that page gave (parent_origin). The Razorpay
// script (/v1/checkout.js) may also pass what a Razorpay page sets: name,
// description, image (https: or data:), color, prefill_name, prefill_method.
import { formatMoney, h } from '/static/shared/format.js';
import {
  cardNetwork, NETWORK_LABELS, spaceCardNumber, digitsOnly, parseExpiry,
  checkCardNumber, checkExpiry, checkCvv, checkVpa,
} from '/static/shared/card.js';
import {
  addStepStyles, authenticationStep, fetchAuthentication, parseAuthenticationUrl,
} from '/static/authenticate/step.js';

const params = new URLSearchParams(location.search);
const orderId = params.get('order_id') ?? '';
const keyId = params.get('key_id') ?? '';
const embedded = params.get('embed') === '1' && window.parent !== window;
const parentOrigin = params.get('parent_origin') ?? '';
// What the merchant's page asks to show; none of it is trusted as markup.
const shown = {
  name: params.get('name') ?? '',
  description: params.get('description') ?? '',
  image: /^(https:|data:image\/)/.test(params.get('image') ?? '') ? params.get('image') : '',
  color: /^#[0-9a-fA-F]{3,8}$/.test(params.get('color') ?? '') ? params.get('color') : '',
  cardName: params.get('prefill_name') ?? '',
};
const POLL_MS = 500;
const POLL_LIMIT_MS = 120000;

const app = document.getElementById('app');
if (embedded) document.documentElement.classList.add('embedded');
let order = null;
let method = params.get('prefill_method') === 'card' ? 'card' : 'upi';
let busy = false;
if (shown.color) document.documentElement.style.setProperty('--brand', shown.color);

function notifyParent(type, data = {}) {
  if (!embedded || !parentOrigin) return;
  window.parent.postMessage({ source: 'paygate', type, ...data }, parentOrigin);
}

async function call(path, init = {}) {
  const headers = { ...(init.headers ?? {}) };
  if (keyId) headers['X-Api-Key'] = keyId;
  if (init.body) headers['Content-Type'] = 'application/json';
  const res = await fetch(`/api/v1${path}`, { ...init, headers });
  let body = null;
  try { body = await res.json(); } catch { body = null; }
  return { status: res.status, ok: res.ok, body };
}

function render(...children) {
  app.replaceChildren(header(), ...children);
}

function header() {
  return h('header', { class: 'co-header' },
    shown.image ? h('img', { class: 'co-logo', src: shown.image, alt: '' }) : null,
    h('div', { class: 'co-title' },
      h('p', { class: 'co-merchant', text: shown.name || (order?.merchant_name ?? 'Checkout') }),
      shown.description ? h('p', { class: 'co-description', text: shown.description }) : null,
      order ? h('p', { class: 'co-amount', 'data-testid': 'amount',
        text: formatMoney(order.amount, order.currency) }) : null,
      order ? h('p', { class: 'co-order', text: `Order ${order.id}` }) : null),
    embedded ? h('button', { type: 'button', class: 'co-close', 'aria-label': 'Close checkout',
      onclick: () => notifyParent('close') }, '×') : null);
}

function fatal(message) {
  render(h('section', { class: 'co-state co-failed', role: 'alert' },
    h('h1', { text: 'Cannot show this checkout' }), h('p', { text: message })));
}

// ---- the form -------------------------------------------------------------

// A labelled input with its error line; control is what is shown (the input,
// or a row holding it).
function field(id, label, input, hint = null, control = input) {
  const err = h('p', { class: 'co-error', id: `${id}-error`, 'aria-live': 'polite' });
  input.id = id;
  input.setAttribute('aria-describedby', `${id}-error`);
  return h('div', { class: 'co-field' },
    h('label', { for: id, text: label }), control, hint, err);
}

function setError(id, message) {
  const input = document.getElementById(id);
  const err = document.getElementById(`${id}-error`);
  if (!input || !err) return;
  err.textContent = message;
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

function validator(id, check) {
  return () => {
    const message = check();
    setError(id, message);
    return message === '';
  };
}

function upiForm() {
  const vpa = h('input', { type: 'text', name: 'vpa', autocomplete: 'off', inputmode: 'email',
    placeholder: 'name@bank', spellcheck: 'false', autocapitalize: 'none' });
  const checks = [validator('vpa', () => checkVpa(vpa.value))];
  vpa.addEventListener('blur', checks[0]);
  return {
    node: h('div', { class: 'co-fields' }, field('vpa', 'UPI ID', vpa,
      h('p', { class: 'co-hint',
        text: 'Test: success@upi pays, failure@upi fails, otp@upi asks you to approve' }))),
    checks,
    payload: () => ({ method: 'upi', vpa: vpa.value.trim() }),
  };
}

function cardForm() {
  const number = h('input', { type: 'text', name: 'cardnumber', inputmode: 'numeric',
    autocomplete: 'cc-number', placeholder: '4111 1111 1111 1111', maxlength: '23' });
  const network = h('span', { class: 'co-network', 'data-network': 'unknown',
    'data-testid': 'card-network', 'aria-live': 'polite' });
  const expiry = h('input', { type: 'text', name: 'expiry', inputmode: 'numeric',
    autocomplete: 'cc-exp', placeholder: 'MM/YY', maxlength: '7' });
  const cvv = h('input', { type: 'password', name: 'cvv', inputmode: 'numeric',
    autocomplete: 'cc-csc', placeholder: '123', maxlength: '4' });
  const name = h('input', { type: 'text', name: 'ccname', autocomplete: 'cc-name',
    placeholder: 'Name on the card', value: shown.cardName || null });

  number.addEventListener('input', () => {
    const spaced = spaceCardNumber(number.value);
    if (spaced !== number.value) number.value = spaced;
    const net = cardNetwork(number.value);
    network.dataset.network = net;
    network.textContent = NETWORK_LABELS[net];
  });
  expiry.addEventListener('input', (e) => {
    // "12" -> "12/" as the shopper types, never on delete.
    if (e.inputType?.startsWith('insert') && /^\d{2}$/.test(expiry.value)) expiry.value += '/';
  });
  const checks = [
    validator('card-number', () => checkCardNumber(number.value)),
    validator('card-expiry', () => checkExpiry(expiry.value)),
    validator('card-cvv', () => checkCvv(cvv.value, number.value)),
  ];
  number.addEventListener('blur', checks[0]);
  expiry.addEventListener('blur', checks[1]);
  cvv.addEventListener('blur', checks[2]);

  const node = h('div', { class: 'co-fields' },
    field('card-number', 'Card number', number, null,
      h('div', { class: 'co-number' }, number, network)),
    h('div', { class: 'co-row' },
      field('card-expiry', 'Expiry (MM/YY)', expiry),
      field('card-cvv', 'CVV', cvv)),
    field('card-name', 'Name on card (optional)', name));
  return {
    node,
    checks,
    payload: () => {
      const e = parseExpiry(expiry.value);
      const card = { number: digitsOnly(number.value), expiry_month: e.monthText,
        expiry_year: e.yearText, cvv: cvv.value };
      if (name.value.trim()) card.name = name.value.trim();
      return { method: 'card', card };
    },
  };
}

// Maps the server's error field to the input that shows it.
const FIELD_INPUTS = {
  vpa: 'vpa', 'card.number': 'card-number', 'card.expiry_month': 'card-expiry',
  'card.expiry_year': 'card-expiry', 'card.cvv': 'card-cvv', 'card.name': 'card-name',
};

function showForm(notice) {
  const forms = { upi: upiForm(), card: cardForm() };
  const panel = h('div', { role: 'tabpanel', id: 'co-panel', tabindex: '-1' });
  const formError = h('p', { class: 'co-form-error', role: 'alert', 'data-testid': 'form-error' });
  if (notice) formError.textContent = notice;
  const pay = h('button', { type: 'submit', class: 'co-pay', 'data-testid': 'pay' },
    `Pay ${formatMoney(order.amount, order.currency)}`);

  const tabs = ['upi', 'card'].map((m) => h('button', {
    type: 'button', role: 'tab', id: `tab-${m}`, 'aria-controls': 'co-panel',
    'data-method': m, text: m === 'upi' ? 'UPI' : 'Card',
  }));
  const select = (m, focus) => {
    method = m;
    for (const t of tabs) {
      const on = t.dataset.method === m;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      if (on && focus) t.focus();
    }
    panel.setAttribute('aria-labelledby', `tab-${m}`);
    panel.replaceChildren(forms[m].node);
  };
  const tablist = h('div', { role: 'tablist', 'aria-label': 'Payment method', class: 'co-tabs' }, tabs);
  tablist.addEventListener('click', (e) => {
    const m = e.target.closest('[role=tab]')?.dataset.method;
    if (m) select(m, false);
  });
  // Arrow keys move between the tabs, as a tablist does.
  tablist.addEventListener('keydown', (e) => {
    if (!['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(e.key)) return;
    e.preventDefault();
    const methods = ['upi', 'card'];
    const i = methods.indexOf(method);
    const next = e.key === 'Home' ? 0 : e.key === 'End' ? methods.length - 1
      : (i + (e.key === 'ArrowRight' ? 1 : -1) + methods.length) % methods.length;
    select(methods[next], true);
  });
  select(method, false);

  // One key per attempt: a double click, or a retry of a request whose
  // answer was lost, creates one payment.
  let attemptKey = crypto.randomUUID();
  const form = h('form', { class: 'co-form', novalidate: true, 'aria-label': 'Payment details' },
    tablist, panel, formError, pay);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (busy) return;
    formError.textContent = '';
    const current = forms[method];
    const results = current.checks.map((c) => c());
    if (results.includes(false)) {
      form.querySelector('[aria-invalid=true]')?.focus();
      return;
    }
    busy = true;
    pay.disabled = true;
    pay.textContent = 'Paying…';
    const body = { order_id: order.id, ...current.payload() };
    if (keyId) body.key_id = keyId;
    let res;
    try {
      res = await call('/payments/public', {
        method: 'POST', body: JSON.stringify(body), headers: { 'Idempotency-Key': attemptKey },
      });
    } catch {
      res = { ok: false, status: 0, body: null };
    }
    busy = false;
    if (res.ok) {
      if (res.body?.next_action?.url) authenticate(res.body);
      else processing(res.body);
      return;
    }
    pay.disabled = false;
    pay.textContent = `Pay ${formatMoney(order.amount, order.currency)}`;
    const err = res.body?.error;
    if (res.status === 0 || res.status >= 500 || res.status === 409) {
      // Nothing was decided: the same key may be sent again.
      formError.textContent = 'Could not reach the payment server. Please try again.';
      return;
    }
    attemptKey = crypto.randomUUID();
    const input = FIELD_INPUTS[err?.field];
    if (input && document.getElementById(input)) {
      setError(input, err.description);
      document.getElementById(input).focus();
    } else {
      formError.textContent = err?.description ?? `The payment was refused (${res.status}).`;
    }
  });

  render(h('section', { class: 'co-body' }, form));
}

// ---- the shopper's authentication step --------------------------------------

async function authenticate(payment) {
  const { paymentId, token } = parseAuthenticationUrl(payment.next_action.url);
  addStepStyles();
  notifyParent('authentication', { payment_id: payment.id, order_id: payment.order_id,
    step: payment.next_action.type });
  let res;
  try {
    res = await fetchAuthentication(paymentId, token);
  } catch {
    res = { ok: false };
  }
  // Whatever became of the step, the payment's status says the rest.
  if (!res.ok || res.body.status !== 'pending') return processing(payment);
  render(authenticationStep(res.body, { paymentId, token, onDone: () => processing(payment) }));
}

// ---- after paying ----------------------------------------------------------

function processing(payment) {
  render(h('section', { class: 'co-state co-processing', role: 'status', 'data-testid': 'processing' },
    h('div', { class: 'co-spinner', 'aria-hidden': 'true' }),
    h('h1', { text: 'Processing your payment…' }),
    h('p', { text: 'Please do not close this window.' })));
  const started = Date.now();
  const poll = async () => {
    let res;
    try {
      res = await call(`/payments/public/${encodeURIComponent(payment.id)}`);
    } catch {
      res = { ok: false };
    }
    const p = res.ok ? res.body : payment;
    if (p.status === 'SUCCESS') return succeeded(p);
    if (p.status === 'FAILED') return failed(p);
    if (Date.now() - started > POLL_LIMIT_MS) {
      return render(h('section', { class: 'co-state', role: 'alert' },
        h('h1', { text: 'Still processing' }),
        h('p', { text: `Payment ${p.id} is taking longer than usual. You will not be charged twice; check back later.` })));
    }
    setTimeout(poll, POLL_MS);
  };
  setTimeout(poll, POLL_MS);
}

function succeeded(p) {
  order.status = 'paid';
  render(h('section', { class: 'co-state co-success', role: 'status', 'data-testid': 'success' },
    h('div', { class: 'co-icon', 'aria-hidden': 'true', text: '✓' }),
    h('h1', { tabindex: '-1', text: 'Payment successful' }),
    h('p', { text: `${formatMoney(p.amount, p.currency)} paid to ${order.merchant_name}.` }),
    h('p', { class: 'co-ref' }, 'Payment ID: ', h('code', { 'data-testid': 'payment-id', text: p.id })),
    embedded ? h('button', { type: 'button', class: 'co-pay', onclick: () => notifyParent('close'),
      text: 'Done' }) : null));
  app.querySelector('h1').focus();
  notifyParent('success', { payment_id: p.id, order_id: p.order_id, status: p.status });
}

function failed(p) {
  const reason = p.error_description || 'The payment failed.';
  render(h('section', { class: 'co-state co-failed', role: 'alert', 'data-testid': 'failure' },
    h('div', { class: 'co-icon', 'aria-hidden': 'true', text: '!' }),
    h('h1', { tabindex: '-1', text: 'Payment failed' }),
    h('p', { 'data-testid': 'failure-reason', text: reason }),
    p.error_code ? h('p', { class: 'co-ref' }, 'Code: ', h('code', { text: p.error_code })) : null,
    h('button', { type: 'button', class: 'co-pay', 'data-testid': 'retry', text: 'Try again',
      onclick: () => showForm() })));
  app.querySelector('h1').focus();
  notifyParent('failure', {
    payment_id: p.id, order_id: p.order_id, status: p.status,
    error: { code: p.error_code, description: p.error_description },
  });
}

// ---- start -----------------------------------------------------------------

document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && embedded && !busy) notifyParent('close');
});

async function start() {
  if (!/^order_[A-Za-z0-9]{1,64}$/.test(orderId)) return fatal('The link has no valid order_id.');
  let res;
  try {
    res = await call(`/orders/public/${encodeURIComponent(orderId)}`);
  } catch {
    return fatal('Could not reach the payment server.');
  }
  if (!res.ok) return fatal(res.body?.error?.description ?? `Error ${res.status}`);
  order = res.body;
  if (order.status === 'paid') {
    return render(h('section', { class: 'co-state co-success', role: 'status' },
      h('h1', { text: 'This order is already paid' })));
  }
  showForm();
  notifyParent('ready');
}

start();
