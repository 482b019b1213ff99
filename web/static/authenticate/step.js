// The shopper's authentication step (test instruments that ask for one:
// docs/API.md, "Testing"): an OTP form for cards, an "approve in your UPI app"
// request for UPI, each with a way to reject. One module for the hosted page
// (/authenticate/{payment_id}?token=…) and the checkout, which shows the step
// in its own flow. It talks only to the public authentication API, with the
// page's token, and calls onDone(authentication) once the step is over.
import { h } from '/static/shared/format.js';

const WATCH_MS = 1000;

export function authenticationPath(paymentId) {
  return `/api/v1/payments/public/${encodeURIComponent(paymentId)}/authentication`;
}

// The payment id and token of a next_action.url (or the page's own URL).
export function parseAuthenticationUrl(url) {
  const u = new URL(url, location.href);
  const m = /^\/authenticate\/([^/]+)$/.exec(u.pathname);
  return { paymentId: m ? decodeURIComponent(m[1]) : '', token: u.searchParams.get('token') ?? '' };
}

async function request(paymentId, token, init = {}) {
  const path = `${authenticationPath(paymentId)}?token=${encodeURIComponent(token)}`;
  const headers = init.body ? { 'Content-Type': 'application/json' } : {};
  const res = await fetch(path, { ...init, headers });
  let body = null;
  try { body = await res.json(); } catch { body = null; }
  return { status: res.status, ok: res.ok, body };
}

export async function fetchAuthentication(paymentId, token) {
  return request(paymentId, token);
}

function instrumentText(a) {
  if (a.method === 'upi') return a.vpa ?? 'your UPI ID';
  const network = a.card_network && a.card_network !== 'unknown' ? a.card_network : 'card';
  return `${network[0].toUpperCase()}${network.slice(1)} •••• ${a.card_last4 ?? ''}`;
}

function remaining(expiresAt) {
  const ms = Date.parse(expiresAt) - Date.now();
  if (!(ms > 0)) return '0:00';
  const s = Math.ceil(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

// The step's node, for a pending authentication a (GET's answer). onDone gets
// the authentication once it is no longer pending.
export function authenticationStep(a, { paymentId, token, onDone }) {
  const otp = a.type === 'otp';
  const error = h('p', { class: 'co-form-error', role: 'alert', 'data-testid': 'auth-error' });
  const timer = h('span', { 'data-testid': 'auth-timer', text: remaining(a.expires_at) });
  const attempts = h('p', { class: 'co-hint', 'data-testid': 'auth-attempts' });
  const showAttempts = (left) => {
    attempts.textContent = otp ? `${left} ${left === 1 ? 'attempt' : 'attempts'} left` : '';
  };
  showAttempts(a.attempts_left);
  let busy = false;
  let finished = false;
  let watch = null;

  const finish = (answer) => {
    if (finished) return;
    finished = true;
    clearInterval(watch);
    onDone(answer);
  };
  // The step may end without this page: it expires, or is answered elsewhere.
  const refresh = async () => {
    try {
      const r = await fetchAuthentication(paymentId, token);
      if (r.ok && r.body.status !== 'pending') finish(r.body);
    } catch { /* the next tick asks again */ }
  };
  watch = setInterval(() => {
    if (!node.isConnected) { clearInterval(watch); return; }
    timer.textContent = remaining(a.expires_at);
    if (Date.parse(a.expires_at) <= Date.now()) refresh();
  }, WATCH_MS);

  const send = async (action, otpValue) => {
    if (busy || finished) return;
    busy = true;
    for (const b of buttons) b.disabled = true;
    error.textContent = '';
    const body = { token, action };
    if (otpValue !== undefined) body.otp = otpValue;
    let r;
    try {
      r = await request(paymentId, token, { method: 'POST', body: JSON.stringify(body) });
    } catch {
      r = { ok: false, status: 0, body: null };
    }
    busy = false;
    for (const b of buttons) b.disabled = false;
    if (r.ok && r.body.status !== 'pending') return finish(r.body);
    if (r.ok) {
      // A wrong OTP with attempts left (counted by the line below the field).
      error.textContent = 'The OTP is incorrect. Check it and try again.';
      showAttempts(r.body.attempts_left);
      if (otpInput) { otpInput.value = ''; otpInput.focus(); }
      return;
    }
    if (r.status === 400 && r.body?.error?.field === 'action') return refresh();
    error.textContent = r.status === 0 ? 'Could not reach the payment server. Please try again.'
      : (r.body?.error?.description ?? `The answer was refused (${r.status}).`);
  };

  let otpInput = null;
  let buttons;
  let form;
  const reject = h('button', { type: 'button', class: 'au-reject', 'data-testid': 'auth-reject',
    text: otp ? 'Cancel payment' : 'Reject', onclick: () => send('reject') });
  if (otp) {
    otpInput = h('input', { type: 'text', id: 'auth-otp', name: 'otp', inputmode: 'numeric',
      autocomplete: 'one-time-code', maxlength: '6', placeholder: '••••••',
      'aria-describedby': 'auth-otp-hint' });
    const verify = h('button', { type: 'submit', class: 'co-pay', 'data-testid': 'auth-submit',
      text: 'Verify and pay' });
    buttons = [verify, reject];
    form = h('form', { class: 'co-form', novalidate: true, 'aria-label': 'One-time password' },
      h('p', { text: `Your bank sent a one-time password (OTP) to the phone number of ${instrumentText(a)}.` }),
      h('div', { class: 'co-field' },
        h('label', { for: 'auth-otp', text: 'Enter the OTP' }), otpInput,
        h('p', { class: 'co-hint', id: 'auth-otp-hint', text: 'Test mode: the OTP is 123456' })),
      attempts, error, verify, reject);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const value = otpInput.value.trim();
      if (!/^\d{6}$/.test(value)) {
        error.textContent = 'Enter the 6 digits of the OTP.';
        otpInput.focus();
        return;
      }
      send('approve', value);
    });
  } else {
    const approve = h('button', { type: 'button', class: 'co-pay', 'data-testid': 'auth-approve',
      text: 'Approve', onclick: () => send('approve') });
    buttons = [approve, reject];
    form = h('div', { class: 'co-form' },
      h('p', { text: `A payment request was sent to ${instrumentText(a)}. Approve it in your UPI app.` }),
      h('p', { class: 'co-hint', text: 'Test mode: this page is your UPI app.' }),
      error, approve, reject);
  }

  const node = h('section', { class: 'co-body au-step', 'data-testid': 'authentication',
    'data-type': a.type },
    h('h1', { class: 'au-title', tabindex: '-1',
      text: otp ? 'Authenticate your payment' : 'Approve in your UPI app' }),
    form,
    h('p', { class: 'co-hint au-expiry' }, 'Time left: ', timer));
  queueMicrotask(() => (otpInput ?? node.querySelector('h1'))?.focus());
  return node;
}

// The step's stylesheet, for pages that do not link it themselves.
export function addStepStyles() {
  const href = '/static/authenticate/authenticate.css';
  if (document.querySelector(`link[href="${href}"]`)) return;
  document.head.append(h('link', { rel: 'stylesheet', href }));
}
