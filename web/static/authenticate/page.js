// The hosted authentication page: /authenticate/{payment_id}?token=… (the
// URL of a payment's next_action). It shows the step and, once it is over,
// the outcome; the merchant's integration learns it from the payment itself
// (GET /payments/{id}, webhooks).
import { formatMoney, h } from '/static/shared/format.js';
import {
  authenticationStep, fetchAuthentication, parseAuthenticationUrl,
} from '/static/authenticate/step.js';

const app = document.getElementById('app');
const { paymentId, token } = parseAuthenticationUrl(location.href);

function header(a) {
  return h('header', { class: 'co-header' },
    h('div', { class: 'co-title' },
      h('p', { class: 'co-merchant', text: a?.merchant_name || 'Payment authentication' }),
      a ? h('p', { class: 'co-amount', 'data-testid': 'amount',
        text: formatMoney(a.amount, a.currency) }) : null,
      h('p', { class: 'co-order', text: `Payment ${paymentId}` })));
}

function outcome(a) {
  const approved = a.status === 'approved';
  const text = {
    approved: 'Authenticated. The payment is being processed; you can close this page.',
    rejected: 'You rejected the payment. Nothing was charged.',
    failed: 'The OTP was entered wrong too many times. The payment failed.',
    expired: 'The time to authenticate ran out. The payment failed.',
  }[a.status] ?? `The authentication is ${a.status}.`;
  app.replaceChildren(header(a), h('section', {
    class: `co-state ${approved ? 'co-success' : 'co-failed'}`, role: 'status',
    'data-testid': 'auth-result', 'data-status': a.status,
  },
  h('div', { class: 'co-icon', 'aria-hidden': 'true', text: approved ? '✓' : '!' }),
  h('h1', { tabindex: '-1', text: approved ? 'Payment approved' : 'Payment not approved' }),
  h('p', { text }),
  a.error?.code ? h('p', { class: 'co-ref' }, 'Code: ', h('code', { text: a.error.code })) : null));
  app.querySelector('h1').focus();
}

function fatal(message) {
  app.replaceChildren(header(null), h('section', { class: 'co-state co-failed', role: 'alert' },
    h('h1', { text: 'Cannot show this page' }), h('p', { text: message })));
}

async function start() {
  if (!paymentId || !token) return fatal('The link has no payment or no token.');
  let r;
  try {
    r = await fetchAuthentication(paymentId, token);
  } catch {
    return fatal('Could not reach the payment server.');
  }
  if (!r.ok) return fatal(r.body?.error?.description ?? `Error ${r.status}`);
  if (r.body.status !== 'pending') return outcome(r.body);
  app.replaceChildren(header(r.body), authenticationStep(r.body, { paymentId, token, onDone: outcome }));
}

start();
