// rzp.payments: fetch, all, capture(id, amount, currency), refund, edit (notes),
// and Razorpay's payment entity for each instrument and outcome.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  sdk, unique, nowSeconds, checkoutPayment, settled, paidOrder, authorizedPayment,
  refundSettled, rejection, INSTRUMENTS,
} from '../lib/paygate.js';

const rzp = sdk();

const PAYMENT_FIELDS = [
  'id', 'entity', 'amount', 'currency', 'status', 'order_id', 'invoice_id', 'international',
  'method', 'amount_refunded', 'refund_status', 'captured', 'description', 'card_id', 'bank',
  'wallet', 'vpa', 'email', 'contact', 'notes', 'fee', 'tax', 'error_code', 'error_description',
  'error_source', 'error_step', 'error_reason', 'acquirer_data', 'created_at',
];

function assertPaymentShape(p) {
  for (const k of PAYMENT_FIELDS) assert.ok(k in p, `payment has ${k}`);
  assert.match(p.id, /^pay_[A-Za-z0-9]+$/);
  assert.equal(p.entity, 'payment');
  assert.ok(['created', 'authorized', 'captured', 'refunded', 'failed'].includes(p.status), `status ${p.status}`);
  assert.equal(typeof p.created_at, 'number');
  assert.ok(p.created_at > 1_600_000_000 && p.created_at < 10_000_000_000, 'created_at in Unix seconds');
}

function assertRefundShape(r) {
  for (const k of ['id', 'entity', 'amount', 'currency', 'payment_id', 'notes', 'receipt',
    'acquirer_data', 'created_at', 'batch_id', 'status', 'speed_processed', 'speed_requested']) {
    assert.ok(k in r, `refund has ${k}`);
  }
  // The id's prefix has a test of its own (refunds.test.js).
  assert.equal(typeof r.id, 'string');
  assert.ok(r.id.length > 0);
  assert.equal(r.entity, 'refund');
  assert.ok(['pending', 'processed', 'failed'].includes(r.status), `status ${r.status}`);
}

test('payments.fetch: a captured card payment from the checkout', async () => {
  const before = nowSeconds();
  const [order, p] = await paidOrder(rzp, { amount: 43210, instrument: INSTRUMENTS.visa });
  assertPaymentShape(p);
  assert.equal(p.amount, 43210);
  assert.equal(p.currency, 'INR');
  assert.equal(p.status, 'captured');
  assert.equal(p.captured, true);
  assert.equal(p.order_id, order.id);
  assert.equal(p.method, 'card');
  assert.equal(p.amount_refunded, 0);
  assert.equal(p.refund_status, null);
  assert.equal(p.vpa, null);
  assert.equal(typeof p.fee, 'number');
  assert.equal(typeof p.tax, 'number');
  assert.equal(p.error_code, null);
  assert.equal(p.error_reason, null);
  assert.deepEqual(p.notes, []);
  assert.ok(p.created_at >= before - 1 && p.created_at <= nowSeconds() + 1);
  assert.equal(p.card.entity, 'card');
  assert.equal(p.card.last4, '1111');
});

// Razorpay's card.network is the network's display name: American Express,
// Diners Club, Maestro, MasterCard, RuPay, Unknown, Visa.
test('payments.fetch: card.network is Razorpay\'s name for the network', async () => {
  const [, p] = await paidOrder(rzp, { instrument: INSTRUMENTS.visa });
  assert.equal(p.card.network, 'Visa');
});

test('payments.fetch: a UPI payment shows its VPA and no card', async () => {
  const [, p] = await paidOrder(rzp, { instrument: INSTRUMENTS.upiSuccess });
  assertPaymentShape(p);
  assert.equal(p.method, 'upi');
  assert.equal(p.vpa, 'success@upi');
  assert.equal(p.status, 'captured');
  assert.ok(!p.card, 'a UPI payment has no card');
});

test('payments.fetch: a declined card is failed with Razorpay\'s error fields', async () => {
  const order = await rzp.orders.create({ amount: 5000, currency: 'INR', receipt: unique('declined') });
  const p = await settled(rzp, await checkoutPayment(order.id, INSTRUMENTS.declined));
  assertPaymentShape(p);
  assert.equal(p.status, 'failed');
  assert.equal(p.captured, false);
  assert.equal(p.error_code, 'BAD_REQUEST_ERROR');
  assert.equal(typeof p.error_description, 'string');
  assert.ok(p.error_description.length > 0);
  assert.equal(p.error_source, 'bank');
  assert.equal(p.error_step, 'payment_authorization');
  assert.equal(p.error_reason, 'card_declined');
  assert.equal(p.card.last4, '0002');
});

test('payments.fetch: a failed UPI payment has an error code and reason', async () => {
  const order = await rzp.orders.create({ amount: 5000, currency: 'INR', receipt: unique('upi-fail') });
  const p = await settled(rzp, await checkoutPayment(order.id, INSTRUMENTS.upiFailure));
  assert.equal(p.status, 'failed');
  assert.ok(['BAD_REQUEST_ERROR', 'GATEWAY_ERROR', 'SERVER_ERROR'].includes(p.error_code));
  for (const k of ['error_description', 'error_source', 'error_step', 'error_reason']) {
    assert.equal(typeof p[k], 'string', `${k} is set`);
  }
});

test('payments.fetch of a payment still processing is created', async () => {
  const order = await rzp.orders.create({ amount: 5000, currency: 'INR', receipt: unique('fresh') });
  const id = await checkoutPayment(order.id, INSTRUMENTS.upiSuccess);
  const p = await rzp.payments.fetch(id);
  assertPaymentShape(p);
  assert.ok(['created', 'captured'].includes(p.status), `status ${p.status}`);
  await settled(rzp, id);
});

test('payments.all: newest first, count and skip, from and to', async () => {
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push((await paidOrder(rzp, { amount: 1000 + i }))[1].id);
  const newest = await rzp.payments.all({ count: 3 });
  assert.equal(newest.entity, 'collection');
  assert.equal(newest.count, 3);
  assert.deepEqual(newest.items.map((p) => p.id), [...ids].reverse());
  newest.items.forEach(assertPaymentShape);
  const skipped = await rzp.payments.all({ count: 2, skip: 1 });
  assert.deepEqual(skipped.items.map((p) => p.id), [ids[1], ids[0]]);

  const t = newest.items[0].created_at;
  const window = await rzp.payments.all({ from: t - 60, to: t + 60, count: 100 });
  assert.ok(ids.every((id) => window.items.some((p) => p.id === id)), 'the window holds the three');
  assert.equal((await rzp.payments.all({ from: t + 3600 })).count, 0);
  const old = await rzp.payments.all({ to: t - 3600, count: 100 });
  assert.ok(!old.items.some((p) => ids.includes(p.id)), 'none of the three before they were made');
});

test('payments.capture(id, amount, currency) captures an authorized payment', async () => {
  const [order, p] = await authorizedPayment(rzp, { amount: 31400 });
  assertPaymentShape(p);
  assert.equal(p.status, 'authorized');
  assert.equal(p.captured, false);
  const captured = await rzp.payments.capture(p.id, 31400, 'INR');
  assertPaymentShape(captured);
  assert.equal(captured.id, p.id);
  assert.equal(captured.status, 'captured');
  assert.equal(captured.captured, true);
  assert.equal(captured.amount, 31400);
  assert.equal(captured.order_id, order.id);
  const fetched = await rzp.payments.fetch(p.id);
  assert.equal(fetched.status, 'captured');
  assert.equal(fetched.captured, true);
  assert.equal((await rzp.orders.fetch(order.id)).status, 'paid');
});

test('payments.capture of a captured payment is refused, as Razorpay does', async () => {
  const [, p] = await paidOrder(rzp, { amount: 5000 });
  const e = await rejection(rzp.payments.capture(p.id, 5000, 'INR'));
  assert.equal(e.statusCode, 400);
  assert.equal(e.error.code, 'BAD_REQUEST_ERROR');
  assert.equal(e.error.description, 'This payment has already been captured');
});

test('payments.capture of a failed payment is refused', async () => {
  const order = await rzp.orders.create({ amount: 5000, currency: 'INR', receipt: unique('cap-failed') });
  const p = await settled(rzp, await checkoutPayment(order.id, INSTRUMENTS.declined));
  const e = await rejection(rzp.payments.capture(p.id, 5000, 'INR'));
  assert.equal(e.statusCode, 400);
  assert.equal(e.error.code, 'BAD_REQUEST_ERROR');
});

test('payments.edit replaces the notes', async () => {
  const [, p] = await paidOrder(rzp);
  const edited = await rzp.payments.edit(p.id, { notes: { invoice: 'INV-42', desk: 'b' } });
  assertPaymentShape(edited);
  assert.equal(edited.id, p.id);
  assert.deepEqual(edited.notes, { invoice: 'INV-42', desk: 'b' });
  assert.equal(edited.status, 'captured');
  assert.deepEqual((await rzp.payments.fetch(p.id)).notes, { invoice: 'INV-42', desk: 'b' });
});

test('payments.refund: a partial refund, then the rest; the payment follows', async () => {
  const [, p] = await paidOrder(rzp, { amount: 50000 });
  const part = await rzp.payments.refund(p.id, { amount: 20000, notes: { reason: 'one item returned' } });
  assertRefundShape(part);
  assert.equal(part.amount, 20000);
  assert.equal(part.currency, 'INR');
  assert.equal(part.payment_id, p.id);
  assert.deepEqual(part.notes, { reason: 'one item returned' });
  assert.equal(part.speed_requested, 'normal');
  assert.equal((await refundSettled(rzp, part.id)).status, 'processed');

  const afterPart = await rzp.payments.fetch(p.id);
  assert.equal(afterPart.amount_refunded, 20000);
  assert.equal(afterPart.refund_status, 'partial');
  assert.equal(afterPart.status, 'captured');

  // No amount: Razorpay refunds all that is left.
  const rest = await rzp.payments.refund(p.id);
  assertRefundShape(rest);
  assert.equal(rest.amount, 30000);
  assert.equal((await refundSettled(rzp, rest.id)).status, 'processed');
  const full = await rzp.payments.fetch(p.id);
  assert.equal(full.amount_refunded, 50000);
  assert.equal(full.refund_status, 'full');
  assert.equal(full.status, 'refunded');
});

test('payments.fetchMultipleRefund lists the payment\'s refunds', async () => {
  const [, p] = await paidOrder(rzp, { amount: 30000 });
  const a = await rzp.payments.refund(p.id, { amount: 1000 });
  const b = await rzp.payments.refund(p.id, { amount: 2000 });
  const list = await rzp.payments.fetchMultipleRefund(p.id);
  assert.equal(list.entity, 'collection');
  assert.equal(list.count, 2);
  assert.deepEqual(list.items.map((r) => r.id).sort(), [a.id, b.id].sort());
  list.items.forEach(assertRefundShape);
});

// GET /v1/payments/{id}/refunds/{refund_id} ("Fetch a specific refund for a payment").
test('payments.fetchRefund reads one refund of the payment', async () => {
  const [, p] = await paidOrder(rzp, { amount: 30000 });
  const r = await rzp.payments.refund(p.id, { amount: 2000 });
  const one = await rzp.payments.fetchRefund(p.id, r.id);
  assertRefundShape(one);
  assert.equal(one.id, r.id);
  assert.equal(one.amount, 2000);
  assert.equal(one.payment_id, p.id);
});
