// The SDK's error path: paygate answers in Razorpay's envelope with Razorpay's
// HTTP statuses, so the SDK rejects with the {statusCode, error} an
// integration already handles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  sdk, rejection, unique, paidOrder, authorizedPayment, GATEWAY, KEY_SECRET, OTHER_MERCHANT,
} from '../lib/paygate.js';

const rzp = sdk();

// Razorpay's envelope: every key present, metadata an object.
function assertEnvelope(e, statusCode, code = 'BAD_REQUEST_ERROR') {
  assert.equal(e.statusCode, statusCode, JSON.stringify(e.error));
  assert.equal(typeof e.error, 'object', 'the SDK found an error object');
  assert.equal(e.error.code, code);
  assert.equal(typeof e.error.description, 'string');
  assert.ok(e.error.description.length > 0);
  for (const k of ['source', 'step', 'reason']) assert.equal(typeof e.error[k], 'string', `error.${k}`);
  assert.equal(typeof e.error.metadata, 'object');
}

test('a bad amount: 400 BAD_REQUEST_ERROR naming the field', async () => {
  for (const amount of [50, -100, 'abc', 12.5]) {
    const e = await rejection(rzp.orders.create({ amount, currency: 'INR', receipt: unique('bad') }));
    assertEnvelope(e, 400);
    assert.equal(e.error.field, 'amount', `amount ${JSON.stringify(amount)}`);
    // An input error, as Razorpay classifies it.
    assert.equal(e.error.source, 'business');
    assert.equal(e.error.step, 'payment_initiation');
    assert.equal(e.error.reason, 'input_validation_failed');
  }
});

test('a missing amount and a bad currency name their fields', async () => {
  const missing = await rejection(rzp.orders.create({ currency: 'INR', receipt: unique('none') }));
  assertEnvelope(missing, 400);
  assert.equal(missing.error.field, 'amount');
  const currency = await rejection(rzp.orders.create({ amount: 1000, currency: 'XYZ' }));
  assertEnvelope(currency, 400);
  assert.equal(currency.error.field, 'currency');
});

test('a wrong secret: 401, "Authentication failed"', async () => {
  const wrong = sdk({ key_secret: 'not-the-secret' });
  const e = await rejection(wrong.orders.all());
  assertEnvelope(e, 401);
  assert.equal(e.error.description, 'Authentication failed');
  const e2 = await rejection(wrong.orders.create({ amount: 1000, currency: 'INR' }));
  assert.equal(e2.statusCode, 401);
});

test('an unknown key id: 401', async () => {
  const e = await rejection(sdk({ key_id: 'rzp_test_doesnotexist', key_secret: KEY_SECRET }).payments.all());
  assertEnvelope(e, 401);
});

test('no credentials at all: 401 in Razorpay\'s envelope', async () => {
  const res = await fetch(`${GATEWAY}/v1/orders`);
  assert.equal(res.status, 401);
  const body = await res.json();
  assert.equal(body.error.code, 'BAD_REQUEST_ERROR');
});

test('an unknown id: 400 "The id provided does not exist", for each resource', async () => {
  const calls = {
    'orders.fetch': () => rzp.orders.fetch('order_DoesNotExist0001'),
    'orders.edit': () => rzp.orders.edit('order_DoesNotExist0001', { notes: { a: 'b' } }),
    'orders.fetchPayments': () => rzp.orders.fetchPayments('order_DoesNotExist0001'),
    'payments.fetch': () => rzp.payments.fetch('pay_DoesNotExist00001'),
    'payments.capture': () => rzp.payments.capture('pay_DoesNotExist00001', 1000, 'INR'),
    'payments.edit': () => rzp.payments.edit('pay_DoesNotExist00001', { notes: { a: 'b' } }),
    'payments.refund': () => rzp.payments.refund('pay_DoesNotExist00001', { amount: 100 }),
    'refunds.fetch': () => rzp.refunds.fetch('rfnd_DoesNotExist0001'),
    'refunds.edit': () => rzp.refunds.edit('rfnd_DoesNotExist0001', { notes: { a: 'b' } }),
  };
  for (const [name, call] of Object.entries(calls)) {
    const e = await rejection(call());
    assert.equal(e.statusCode, 400, `${name}: ${JSON.stringify(e.error)}`);
    assert.equal(e.error.code, 'BAD_REQUEST_ERROR', name);
    assert.equal(e.error.description, 'The id provided does not exist', name);
  }
});

test('another merchant\'s order is an unknown id', { skip: !OTHER_MERCHANT && 'no second merchant' }, async () => {
  const mine = await rzp.orders.create({ amount: 1000, currency: 'INR', receipt: unique('mine') });
  const other = sdk({ key_id: OTHER_MERCHANT.api_key, key_secret: OTHER_MERCHANT.api_secret });
  const e = await rejection(other.orders.fetch(mine.id));
  assert.equal(e.statusCode, 400);
  assert.equal(e.error.description, 'The id provided does not exist');
  // ... and it does not show in the other merchant's list.
  const list = await other.orders.all({ receipt: mine.receipt });
  assert.equal(list.count, 0);
});

test('an unknown URL under /v1: 404 in Razorpay\'s envelope', async () => {
  const e = await rejection(rzp.api.get({ url: '/no-such-resource' }));
  assert.equal(e.statusCode, 404);
  assert.equal(e.error.code, 'BAD_REQUEST_ERROR');
  assert.equal(e.error.description, 'The requested URL was not found on the server.');
});

test('capture with a wrong amount or currency: 400, and the payment stays authorized', async () => {
  const [, p] = await authorizedPayment(rzp, { amount: 20000 });
  const lower = await rejection(rzp.payments.capture(p.id, 19999, 'INR'));
  assertEnvelope(lower, 400);
  const higher = await rejection(rzp.payments.capture(p.id, 20001, 'INR'));
  assertEnvelope(higher, 400);
  const currency = await rejection(rzp.payments.capture(p.id, 20000, 'USD'));
  assertEnvelope(currency, 400);
  const still = await rzp.payments.fetch(p.id);
  assert.equal(still.status, 'authorized');
  assert.equal(still.captured, false);
  // The right amount and currency then capture it.
  assert.equal((await rzp.payments.capture(p.id, 20000, 'INR')).status, 'captured');
});

test('a refund of a payment that is not captured is refused', async () => {
  const [, p] = await authorizedPayment(rzp, { amount: 20000 });
  const e = await rejection(rzp.payments.refund(p.id, { amount: 1000 }));
  assertEnvelope(e, 400);
  assert.equal((await rzp.payments.fetch(p.id)).amount_refunded, 0);
});

test('a refund amount that is not a positive integer names the field', async () => {
  const [, p] = await paidOrder(rzp, { amount: 5000 });
  for (const amount of [0, -5, 'ten']) {
    const e = await rejection(rzp.payments.refund(p.id, { amount }));
    assertEnvelope(e, 400);
    assert.equal(e.error.field, 'amount', `amount ${JSON.stringify(amount)}`);
  }
});

test('the SDK\'s callback form gets the same error', async () => {
  const err = await new Promise((resolve) => {
    rzp.orders.fetch('order_DoesNotExist0001', (error, value) => resolve(error ?? value));
  });
  assert.equal(err.statusCode, 400);
  assert.equal(err.error.description, 'The id provided does not exist');
});
