// The seed API's money rules hold on /v1 as well: refunds never exceed what
// was captured (under concurrency too), one payment per order succeeds, and an
// Idempotency-Key on orders.create replays the first answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  sdk, rejection, unique, randomUUID, paidOrder, checkoutPayment, settled, refundSettled,
  eventually, INSTRUMENTS,
} from '../lib/paygate.js';

const rzp = sdk();

test('a refund over the captured amount is refused, whole or in parts', async () => {
  const [, p] = await paidOrder(rzp, { amount: 10000 });
  const over = await rejection(rzp.payments.refund(p.id, { amount: 10001 }));
  assert.equal(over.statusCode, 400);
  assert.equal(over.error.code, 'BAD_REQUEST_ERROR');
  assert.equal(over.error.field, 'amount');

  await rzp.payments.refund(p.id, { amount: 6000 });
  const rest = await rejection(rzp.payments.refund(p.id, { amount: 4001 }));
  assert.equal(rest.statusCode, 400);
  assert.equal(rest.error.code, 'BAD_REQUEST_ERROR');
  // Through POST /v1/refunds as well.
  const viaRefunds = await rejection(rzp.api.post({ url: '/refunds', data: { payment_id: p.id, amount: 4001 } }));
  assert.equal(viaRefunds.statusCode, 400);

  const last = await rzp.payments.refund(p.id, { amount: 4000 });
  await refundSettled(rzp, last.id);
  const done = await eventually(async () => {
    const q = await rzp.payments.fetch(p.id);
    return q.amount_refunded === 10000 && q;
  }, { what: 'both refunds processed' });
  assert.equal(done.status, 'refunded');
  const nothingLeft = await rejection(rzp.payments.refund(p.id, { amount: 1 }));
  assert.equal(nothingLeft.statusCode, 400);
});

test('concurrent refunds never exceed the amount', async () => {
  const [, p] = await paidOrder(rzp, { amount: 50000 });
  // 12 refunds of 10000 at once, through both refund endpoints: 5 fit.
  const attempts = Array.from({ length: 12 }, (_, i) => (i % 2
    ? rzp.payments.refund(p.id, { amount: 10000 })
    : rzp.api.post({ url: '/refunds', data: { payment_id: p.id, amount: 10000 } })));
  const results = await Promise.allSettled(attempts);
  const made = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
  const refused = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
  assert.equal(made.length, 5, `5 refunds made: ${JSON.stringify(refused.map((e) => e.error ?? String(e)))}`);
  for (const e of refused) {
    assert.equal(e.statusCode, 400, JSON.stringify(e.error ?? String(e)));
    assert.equal(e.error.code, 'BAD_REQUEST_ERROR');
  }
  assert.equal(new Set(made.map((r) => r.id)).size, 5);
  for (const r of made) await refundSettled(rzp, r.id);
  const after = await rzp.payments.fetch(p.id);
  assert.equal(after.amount_refunded, 50000);
  assert.equal(after.status, 'refunded');
  const listed = await rzp.payments.fetchMultipleRefund(p.id);
  assert.equal(listed.count, 5);
  assert.equal(listed.items.reduce((sum, r) => sum + r.amount, 0), 50000);
});

test('one payment per order succeeds, however many race', async () => {
  const order = await rzp.orders.create({ amount: 15000, currency: 'INR', receipt: unique('race') });
  const ids = await Promise.all([
    checkoutPayment(order.id, INSTRUMENTS.upiSuccess),
    checkoutPayment(order.id, INSTRUMENTS.visa),
    checkoutPayment(order.id, INSTRUMENTS.upiSuccess),
  ].map((p) => p.catch((e) => e)));
  const created = ids.filter((id) => typeof id === 'string');
  assert.ok(created.length >= 1, `at least one payment accepted: ${ids}`);
  const settledPayments = [];
  for (const id of created) settledPayments.push(await settled(rzp, id));
  const won = settledPayments.filter((p) => p.status === 'captured');
  assert.equal(won.length, 1, JSON.stringify(settledPayments.map((p) => p.status)));
  for (const p of settledPayments.filter((q) => q.status !== 'captured')) {
    assert.equal(p.status, 'failed');
    assert.equal(p.error_code, 'BAD_REQUEST_ERROR');
    assert.equal(p.error_reason, 'order_already_paid');
  }
  const o = await rzp.orders.fetch(order.id);
  assert.equal(o.status, 'paid');
  assert.equal(o.amount_paid, 15000);
  assert.equal(o.amount_due, 0);
  const listed = await rzp.orders.fetchPayments(order.id);
  assert.equal(listed.items.filter((p) => p.status === 'captured').length, 1);
});

test('an Idempotency-Key on orders.create replays the first answer', async () => {
  // The SDK forwards no custom headers (only X-Razorpay-Account and
  // Content-Type), so the key goes through the SDK's own axios client, which
  // carries its credentials and base URL.
  const key = `idem-${randomUUID()}`;
  const body = { amount: 22000, currency: 'INR', receipt: unique('idem'), notes: { try: '1' } };
  const post = (data) => rzp.api.rq.post('/v1/orders', data, { headers: { 'Idempotency-Key': key } });
  const first = await post(body);
  assert.equal(first.status, 200);
  assert.equal(first.data.entity, 'order');
  const again = await post(body);
  assert.equal(again.status, 200);
  assert.equal(again.data.id, first.data.id);
  assert.deepEqual(again.data, first.data);
  assert.equal(again.headers['idempotent-replayed'], 'true');
  const list = await rzp.orders.all({ receipt: body.receipt });
  assert.equal(list.count, 1, 'one order made');

  // The same key with another body is refused, in Razorpay's envelope.
  const other = await post({ ...body, amount: 22001 }).then(
    (r) => { throw new Error(`expected a refusal, got ${r.status} ${JSON.stringify(r.data)}`); },
    (e) => e.response,
  );
  assert.ok(other.status >= 400 && other.status < 500, `status ${other.status}`);
  assert.equal(other.data.error.code, 'BAD_REQUEST_ERROR');

  // Without a key, the same body makes another order.
  const fresh = await rzp.orders.create(body);
  assert.notEqual(fresh.id, first.data.id);
});
