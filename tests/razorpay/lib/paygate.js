// What every SDK test needs: the official razorpay SDK pointed at the paygate
// under test, the merchant's credentials, payments made the way a shopper
// makes them (paygate's public checkout API), a webhook receiver, and polling
// with a deadline instead of sleeps.
import Razorpay from 'razorpay';
import http from 'node:http';
import { randomUUID } from 'node:crypto';

export const GATEWAY = process.env.PAYGATE_URL ?? 'http://127.0.0.1:8000';
// The test-mode demo merchant (docs/API.md, "Test mode").
export const KEY_ID = process.env.PAYGATE_KEY_ID ?? 'key_test_abc123';
export const KEY_SECRET = process.env.PAYGATE_KEY_SECRET ?? 'secret_test_xyz789';
// A second merchant made by run.sh with `paygate merchant create`
// ({"api_key", "api_secret", ...}), when there is one.
export const OTHER_MERCHANT = process.env.PAYGATE_OTHER_MERCHANT
  ? JSON.parse(process.env.PAYGATE_OTHER_MERCHANT)
  : null;

// The SDK as an integration creates it; the only change for paygate is the
// base URL of the SDK's axios instance (2.9.8 has no option for it: its host
// is fixed to https://api.razorpay.com and every path starts with /v1).
export function sdk({ key_id = KEY_ID, key_secret = KEY_SECRET } = {}) {
  const instance = new Razorpay({ key_id, key_secret });
  instance.api.rq.defaults.baseURL = GATEWAY;
  return instance;
}

// The SDK rejects with {statusCode, error} (error: Razorpay's envelope).
// Returns that rejection, failing when the call succeeded instead.
export async function rejection(promise) {
  try {
    const value = await promise;
    throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
  } catch (e) {
    if (e && typeof e === 'object' && 'statusCode' in e) return e;
    throw e;
  }
}

// Calls paygate's own API (/api/v1) as the merchant, or publicly (secret: null).
export async function api(method, path, body, { key = KEY_ID, secret = KEY_SECRET, headers = {} } = {}) {
  const h = { 'X-Api-Key': key, ...headers };
  if (secret) h['X-Api-Secret'] = secret;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const res = await fetch(`${GATEWAY}/api/v1${path}`, {
    method, headers: h, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { parsed = text; }
  return { status: res.status, headers: res.headers, body: parsed };
}

// Polls fn until it returns a truthy value, or fails after the deadline. An
// SDK rejection with a 4xx is final (the server answered: waiting will not
// change it); anything else thrown is retried.
export async function eventually(fn, { timeout = 15000, interval = 50, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      if (e?.statusCode >= 400 && e.statusCode < 500) {
        throw new Error(`${what}: ${e.statusCode} ${JSON.stringify(e.error)}`);
      }
      last = e;
    }
    if (Date.now() > end) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out waiting for ${what}: ${detail}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);
export const unique = (prefix) => `${prefix}-${randomUUID().slice(0, 8)}`;

const expiryYear = String(new Date().getUTCFullYear() + 3);

// The test instruments (docs/API.md, "Test instruments").
export const INSTRUMENTS = {
  upiSuccess: { method: 'upi', vpa: 'success@upi' },
  upiFailure: { method: 'upi', vpa: 'failure@upi' },
  visa: { method: 'card', card: { number: '4111111111111111', expiry_month: '12', expiry_year: expiryYear, cvv: '123' } },
  declined: { method: 'card', card: { number: '4000000000000002', expiry_month: '12', expiry_year: expiryYear, cvv: '123' } },
  // Succeeds, but every refund of it fails.
  refundFails: { method: 'card', card: { number: '4000000000000077', expiry_month: '12', expiry_year: expiryYear, cvv: '123' } },
};

// A payment as the checkout makes it (publishable key only); auto-captured on
// success. Resolves with paygate's own payment id once it exists.
export async function checkoutPayment(orderId, instrument = INSTRUMENTS.upiSuccess, { key = KEY_ID } = {}) {
  const r = await api('POST', '/payments/public', { order_id: orderId, ...instrument }, { key, secret: null });
  if (r.status !== 201) throw new Error(`checkout payment: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id;
}

// A payment the merchant's server makes: authorized on success, not captured,
// as a Razorpay payment is until payments.capture.
export async function merchantPayment(orderId, instrument = INSTRUMENTS.visa, creds = {}) {
  const r = await api('POST', '/payments', { order_id: orderId, ...instrument }, creds);
  if (r.status !== 201) throw new Error(`merchant payment: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id;
}

// Waits until the payment has left "created" (processing is simulated with a
// delay) and returns it as the SDK sees it.
export async function settled(rzp, paymentId) {
  return eventually(async () => {
    const p = await rzp.payments.fetch(paymentId);
    return p.status !== 'created' && p;
  }, { what: `payment ${paymentId} to settle` });
}

// An order paid through the checkout, settled: [order, payment] in Razorpay's shape.
export async function paidOrder(rzp, { amount = 50000, instrument = INSTRUMENTS.upiSuccess, receipt } = {}) {
  const order = await rzp.orders.create({ amount, currency: 'INR', receipt: receipt ?? unique('paid') });
  const payment = await settled(rzp, await checkoutPayment(order.id, instrument));
  return [order, payment];
}

// An order with an authorized (not captured) payment, settled.
export async function authorizedPayment(rzp, { amount = 50000, instrument = INSTRUMENTS.visa } = {}) {
  const order = await rzp.orders.create({ amount, currency: 'INR', receipt: unique('auth') });
  const payment = await settled(rzp, await merchantPayment(order.id, instrument));
  return [order, payment];
}

// Waits until the refund is no longer pending and returns it.
export async function refundSettled(rzp, refundId) {
  return eventually(async () => {
    const r = await rzp.refunds.fetch(refundId);
    return r.status !== 'pending' && r;
  }, { what: `refund ${refundId} to settle` });
}

function closeServer(server) {
  const closed = new Promise((r) => server.close(r));
  server.closeAllConnections();
  return closed;
}

// A webhook receiver as an integration writes one: keeps each delivery's raw
// body (the signature covers its exact bytes) and headers, answers 200.
export async function webhookReceiver() {
  const received = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/razorpay-webhook`,
    received,
    close: () => closeServer(server),
  };
}

export { randomUUID };
