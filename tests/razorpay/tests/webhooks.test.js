// Razorpay-shaped webhooks, received by a real receiver and checked with the
// SDK's Razorpay.validateWebhookSignature(body, signature, secret), for every
// event paygate sends in Razorpay's format. The endpoint is registered with
// paygate's own API (POST /api/v1/webhooks, "format": "razorpay").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Razorpay from 'razorpay';
import {
  sdk, api, unique, eventually, webhookReceiver, checkoutPayment, merchantPayment, settled,
  refundSettled, nowSeconds, INSTRUMENTS,
} from '../lib/paygate.js';

const rzp = sdk();
const EVENTS = [
  'payment.authorized', 'payment.captured', 'payment.failed', 'order.paid',
  'refund.created', 'refund.processed', 'refund.failed',
];
// What each event carries (Razorpay's webhook payloads).
const CONTAINS = {
  'payment.authorized': ['payment'],
  'payment.captured': ['payment'],
  'payment.failed': ['payment'],
  'order.paid': ['payment', 'order'],
  'refund.created': ['refund', 'payment'],
  'refund.processed': ['refund', 'payment'],
  'refund.failed': ['refund', 'payment'],
};

let receiver;
let plain; // an endpoint in paygate's own format, beside it
let endpoint;
let plainEndpoint;

before(async () => {
  receiver = await webhookReceiver();
  const r = await api('POST', '/webhooks', { url: receiver.url, format: 'razorpay', events: EVENTS });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  endpoint = r.body;
  plain = await webhookReceiver();
  const p = await api('POST', '/webhooks', { url: plain.url });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  plainEndpoint = p.body;
});

after(async () => {
  for (const e of [endpoint, plainEndpoint]) if (e) await api('DELETE', `/webhooks/${e.id}`);
  await receiver?.close();
  await plain?.close();
});

// Every delivery so far, checked as an integration checks it: signature first
// (on the raw body), then parsed.
function deliveries() {
  return receiver.received.map(({ headers, raw }) => {
    const signature = headers['x-razorpay-signature'];
    assert.ok(signature, `X-Razorpay-Signature on ${raw.slice(0, 120)}`);
    assert.equal(Razorpay.validateWebhookSignature(raw, signature, endpoint.secret), true,
      `the signature of ${raw.slice(0, 120)} validates`);
    return { headers, raw, body: JSON.parse(raw) };
  });
}

const entityOf = (d, kind) => d.body.payload?.[kind]?.entity;

// The deliveries whose payload holds the given payment or refund id.
function about(id) {
  return deliveries().filter((d) => ['payment', 'refund', 'order']
    .some((k) => entityOf(d, k)?.id === id));
}

async function eventsFor(id, wanted) {
  return eventually(() => {
    const got = about(id);
    const names = got.map((d) => d.body.event);
    return wanted.every((w) => names.includes(w)) && got;
  }, { what: `${wanted.join(', ')} for ${id}`, timeout: 20000 });
}

function assertEventShape(d) {
  const b = d.body;
  assert.equal(b.entity, 'event');
  assert.equal(typeof b.account_id, 'string');
  assert.ok(EVENTS.includes(b.event), `event ${b.event}`);
  assert.deepEqual([...b.contains].sort(), [...CONTAINS[b.event]].sort(), `contains of ${b.event}`);
  for (const kind of b.contains) {
    const e = entityOf(d, kind);
    assert.equal(typeof e, 'object', `payload.${kind}.entity`);
    assert.equal(e.entity, kind);
  }
  assert.equal(typeof b.created_at, 'number');
  assert.ok(Math.abs(b.created_at - nowSeconds()) < 600, 'created_at in Unix seconds');
  assert.ok(d.headers['x-razorpay-event-id'], 'X-Razorpay-Event-Id');
  assert.match(d.headers['content-type'], /application\/json/);
}

test('the endpoint is registered in Razorpay\'s format with Razorpay\'s event names', () => {
  assert.equal(endpoint.format, 'razorpay');
  assert.deepEqual([...endpoint.events].sort(), [...EVENTS].sort());
  assert.match(endpoint.secret, /^[0-9a-f]+$/);
});

test('a checkout payment: payment.authorized, payment.captured, order.paid, each signed', async () => {
  const order = await rzp.orders.create({ amount: 27500, currency: 'INR', receipt: unique('hook') });
  const id = await checkoutPayment(order.id, INSTRUMENTS.upiSuccess);
  await settled(rzp, id);
  const got = await eventsFor(id, ['payment.authorized', 'payment.captured', 'order.paid']);
  got.forEach(assertEventShape);
  const byName = Object.fromEntries(got.map((d) => [d.body.event, d]));
  assert.equal(entityOf(byName['payment.authorized'], 'payment').status, 'authorized');
  assert.equal(entityOf(byName['payment.captured'], 'payment').status, 'captured');
  assert.equal(entityOf(byName['payment.captured'], 'payment').captured, true);
  assert.equal(entityOf(byName['payment.captured'], 'payment').amount, 27500);
  const paid = byName['order.paid'];
  assert.equal(entityOf(paid, 'order').id, order.id);
  assert.equal(entityOf(paid, 'order').status, 'paid');
  assert.equal(entityOf(paid, 'order').amount_paid, 27500);
  assert.equal(entityOf(paid, 'payment').id, id);
  // One event id per event.
  const ids = got.map((d) => d.headers['x-razorpay-event-id']);
  assert.equal(new Set(ids).size, ids.length);
});

test('a declined payment: payment.failed with the error fields', async () => {
  const order = await rzp.orders.create({ amount: 4000, currency: 'INR', receipt: unique('hook-fail') });
  const id = await checkoutPayment(order.id, INSTRUMENTS.declined);
  await settled(rzp, id);
  const got = await eventsFor(id, ['payment.failed']);
  got.forEach(assertEventShape);
  const failed = got.find((d) => d.body.event === 'payment.failed');
  const p = entityOf(failed, 'payment');
  assert.equal(p.status, 'failed');
  assert.equal(p.error_reason, 'card_declined');
  assert.ok(!got.some((d) => ['payment.captured', 'order.paid'].includes(d.body.event)));
});

test('an authorized payment captured with payments.capture: payment.captured', async () => {
  const order = await rzp.orders.create({ amount: 8800, currency: 'INR', receipt: unique('hook-cap') });
  const id = await merchantPayment(order.id, INSTRUMENTS.visa);
  await settled(rzp, id);
  await eventsFor(id, ['payment.authorized']);
  assert.ok(!about(id).some((d) => d.body.event === 'payment.captured'), 'not captured yet');
  await rzp.payments.capture(id, 8800, 'INR');
  const got = await eventsFor(id, ['payment.authorized', 'payment.captured']);
  got.forEach(assertEventShape);
  assert.equal(entityOf(got.find((d) => d.body.event === 'payment.captured'), 'payment').status, 'captured');
});

test('refunds: refund.created and refund.processed, refund.failed for a card whose refunds fail', async () => {
  const order = await rzp.orders.create({ amount: 9000, currency: 'INR', receipt: unique('hook-rf') });
  const pid = await checkoutPayment(order.id, INSTRUMENTS.upiSuccess);
  await settled(rzp, pid);
  const refund = await rzp.payments.refund(pid, { amount: 3000 });
  await refundSettled(rzp, refund.id);
  const got = await eventsFor(refund.id, ['refund.created', 'refund.processed']);
  got.forEach(assertEventShape);
  const processed = got.find((d) => d.body.event === 'refund.processed');
  assert.equal(entityOf(processed, 'refund').status, 'processed');
  assert.equal(entityOf(processed, 'refund').amount, 3000);
  assert.equal(entityOf(processed, 'refund').payment_id, pid);

  const order2 = await rzp.orders.create({ amount: 9000, currency: 'INR', receipt: unique('hook-rff') });
  const pid2 = await checkoutPayment(order2.id, INSTRUMENTS.refundFails);
  await settled(rzp, pid2);
  const bad = await rzp.payments.refund(pid2, { amount: 9000 });
  await refundSettled(rzp, bad.id);
  const got2 = await eventsFor(bad.id, ['refund.created', 'refund.failed']);
  got2.forEach(assertEventShape);
  assert.equal(entityOf(got2.find((d) => d.body.event === 'refund.failed'), 'refund').status, 'failed');
  assert.ok(!got2.some((d) => d.body.event === 'refund.processed'));
});

test('every Razorpay-shaped delivery validates; a changed body or another secret does not', async () => {
  const all = deliveries();
  assert.ok(all.length >= 10, `deliveries so far: ${all.length}`);
  for (const d of all) assertEventShape(d);
  const d = all[0];
  const sig = d.headers['x-razorpay-signature'];
  assert.equal(Razorpay.validateWebhookSignature(d.raw.replace('"event"', '"event" '), sig, endpoint.secret), false);
  assert.equal(Razorpay.validateWebhookSignature(d.raw, sig, `${endpoint.secret}x`), false);
  // Each event is delivered once to a receiver that answers 200.
  const ids = all.map((x) => x.headers['x-razorpay-event-id']);
  assert.equal(new Set(ids).size, ids.length, 'no event delivered twice');
});

test('an endpoint in paygate\'s own format keeps getting paygate\'s shape', async () => {
  await eventually(() => plain.received.length > 0, { what: 'a delivery to the plain endpoint' });
  for (const { headers, raw } of plain.received) {
    assert.equal(headers['x-razorpay-signature'], undefined);
    assert.ok(headers['x-signature']);
    const body = JSON.parse(raw);
    assert.notEqual(body.entity, 'event');
    assert.ok('data' in body);
  }
});
