// rzp.refunds: create (POST /v1/refunds, which the Node SDK has no method for:
// it is called through the SDK's own client, as the Python SDK's
// client.refund.create does), fetch, all, edit (notes); pending -> processed
// or failed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  sdk, nowSeconds, paidOrder, refundSettled, INSTRUMENTS,
} from '../lib/paygate.js';

const rzp = sdk();

// POST /v1/refunds {payment_id, amount, notes} with the SDK's credentials and
// error handling (rejects with {statusCode, error}).
const createRefund = (data) => rzp.api.post({ url: '/refunds', data });

function assertRefundShape(r) {
  // The id's prefix has a test of its own (refunds.test.js).
  assert.equal(typeof r.id, 'string');
  assert.ok(r.id.length > 0);
  assert.equal(r.entity, 'refund');
  assert.equal(typeof r.amount, 'number');
  assert.equal(typeof r.currency, 'string');
  assert.match(r.payment_id, /^pay_/);
  assert.ok('notes' in r && 'receipt' in r && 'batch_id' in r);
  assert.equal(typeof r.acquirer_data, 'object');
  assert.ok('arn' in r.acquirer_data, 'acquirer_data.arn');
  assert.equal(typeof r.created_at, 'number');
  assert.ok(r.created_at > 1_600_000_000 && r.created_at < 10_000_000_000, 'created_at in Unix seconds');
  assert.ok(['pending', 'processed', 'failed'].includes(r.status), `status ${r.status}`);
  assert.equal(typeof r.speed_processed, 'string');
  assert.equal(typeof r.speed_requested, 'string');
}

test('refunds.create (POST /v1/refunds) refunds a captured payment; it ends processed', async () => {
  const before = nowSeconds();
  const [, p] = await paidOrder(rzp, { amount: 40000 });
  const r = await createRefund({ payment_id: p.id, amount: 15000, notes: { ticket: 'T-1' } });
  assertRefundShape(r);
  assert.equal(r.amount, 15000);
  assert.equal(r.currency, 'INR');
  assert.equal(r.payment_id, p.id);
  assert.deepEqual(r.notes, { ticket: 'T-1' });
  assert.ok(r.created_at >= before - 1 && r.created_at <= nowSeconds() + 1);
  const done = await refundSettled(rzp, r.id);
  assert.equal(done.status, 'processed');
  assert.equal(done.amount, 15000);
  const payment = await rzp.payments.fetch(p.id);
  assert.equal(payment.amount_refunded, 15000);
  assert.equal(payment.refund_status, 'partial');
});

test('refund ids carry Razorpay\'s prefix, rfnd_', async () => {
  const [, p] = await paidOrder(rzp, { amount: 3000 });
  const r = await rzp.payments.refund(p.id, { amount: 1000 });
  assert.match(r.id, /^rfnd_[A-Za-z0-9]+$/);
});

test('refunds.create without amount refunds the whole payment', async () => {
  const [, p] = await paidOrder(rzp, { amount: 7000 });
  const r = await createRefund({ payment_id: p.id });
  assert.equal(r.amount, 7000);
  await refundSettled(rzp, r.id);
  const payment = await rzp.payments.fetch(p.id);
  assert.equal(payment.status, 'refunded');
  assert.equal(payment.refund_status, 'full');
});

test('refunds.fetch by id', async () => {
  const [, p] = await paidOrder(rzp, { amount: 9000 });
  const r = await rzp.payments.refund(p.id, { amount: 4000 });
  const fetched = await rzp.refunds.fetch(r.id);
  assertRefundShape(fetched);
  assert.equal(fetched.id, r.id);
  assert.equal(fetched.amount, 4000);
  assert.equal(fetched.payment_id, p.id);
});

// With payment_id the SDK asks GET /v1/payments/{id}/refunds/{refund_id}.
test('refunds.fetch(id, {payment_id}) reads the refund under its payment', async () => {
  const [, p] = await paidOrder(rzp, { amount: 9000 });
  const r = await rzp.payments.refund(p.id, { amount: 4000 });
  const underPayment = await rzp.refunds.fetch(r.id, { payment_id: p.id });
  assertRefundShape(underPayment);
  assert.equal(underPayment.id, r.id);
});

test('a refund of a card whose refunds fail ends failed, and the payment has nothing refunded', async () => {
  const [, p] = await paidOrder(rzp, { amount: 6000, instrument: INSTRUMENTS.refundFails });
  const r = await rzp.payments.refund(p.id, { amount: 6000 });
  const done = await refundSettled(rzp, r.id);
  assert.equal(done.status, 'failed');
  const payment = await rzp.payments.fetch(p.id);
  assert.equal(payment.amount_refunded, 0);
  assert.equal(payment.status, 'captured');
});

test('refunds.all: newest first, count and skip, from and to, and by payment_id', async () => {
  const [, p] = await paidOrder(rzp, { amount: 30000 });
  const ids = [];
  for (const amount of [1000, 2000, 3000]) ids.push((await rzp.payments.refund(p.id, { amount })).id);

  const newest = await rzp.refunds.all({ count: 3 });
  assert.equal(newest.entity, 'collection');
  assert.equal(newest.count, 3);
  assert.deepEqual(newest.items.map((r) => r.id), [...ids].reverse());
  newest.items.forEach(assertRefundShape);
  const skipped = await rzp.refunds.all({ count: 2, skip: 1 });
  assert.deepEqual(skipped.items.map((r) => r.id), [ids[1], ids[0]]);

  const t = newest.items[0].created_at;
  const window = await rzp.refunds.all({ from: t - 60, to: t + 60, count: 100 });
  assert.ok(ids.every((id) => window.items.some((r) => r.id === id)), 'the window holds the three');
  assert.equal((await rzp.refunds.all({ from: t + 3600 })).count, 0);

  // refunds.all({payment_id}) is GET /v1/payments/{id}/refunds.
  const mine = await rzp.refunds.all({ payment_id: p.id });
  assert.equal(mine.count, 3);
  assert.deepEqual(mine.items.map((r) => r.id).sort(), [...ids].sort());
});

test('refunds.edit replaces the notes', async () => {
  const [, p] = await paidOrder(rzp, { amount: 8000 });
  const r = await rzp.payments.refund(p.id, { amount: 800, notes: { first: '1' } });
  const edited = await rzp.refunds.edit(r.id, { notes: { reason: 'damaged', by: 'support' } });
  assertRefundShape(edited);
  assert.equal(edited.id, r.id);
  assert.deepEqual(edited.notes, { reason: 'damaged', by: 'support' });
  assert.deepEqual((await rzp.refunds.fetch(r.id)).notes, { reason: 'damaged', by: 'support' });
});
