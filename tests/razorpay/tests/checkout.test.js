// The checkout's result, as Razorpay Checkout hands it to the merchant page's
// handler ({razorpay_payment_id, razorpay_order_id, razorpay_signature}), and
// the merchant server's check of it with the SDK's validatePaymentVerification.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import utils from 'razorpay/dist/utils/razorpay-utils.js';
import {
  sdk, unique, checkoutPayment, settled, GATEWAY, KEY_ID, KEY_SECRET, OTHER_MERCHANT, INSTRUMENTS,
} from '../lib/paygate.js';

const { validatePaymentVerification } = utils;
const rzp = sdk();

// What checkout.js reads once a payment has settled: the result the handler
// gets (public: the publishable key only).
async function checkoutResult(paymentId, keyId = KEY_ID) {
  const res = await fetch(`${GATEWAY}/v1/checkout/payments/${paymentId}?key_id=${keyId}`);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

test('a successful checkout payment\'s result passes validatePaymentVerification', async () => {
  const order = await rzp.orders.create({ amount: 64000, currency: 'INR', receipt: unique('verify') });
  const paymentId = await checkoutPayment(order.id, INSTRUMENTS.visa);
  assert.equal((await settled(rzp, paymentId)).status, 'captured');
  const r = await checkoutResult(paymentId);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const { razorpay_payment_id, razorpay_order_id, razorpay_signature } = r.body;
  assert.equal(razorpay_payment_id, paymentId);
  assert.equal(razorpay_order_id, order.id);
  assert.match(razorpay_signature, /^[0-9a-f]{64}$/);

  // The merchant's server: the documented check, with the key secret.
  assert.equal(validatePaymentVerification(
    { order_id: razorpay_order_id, payment_id: razorpay_payment_id }, razorpay_signature, KEY_SECRET,
  ), true);
  // Razorpay's definition, spelled out: HMAC-SHA256(order_id|payment_id, key_secret).
  const expected = createHmac('sha256', KEY_SECRET).update(`${order.id}|${paymentId}`).digest('hex');
  assert.equal(razorpay_signature, expected);

  // A forged result fails: another secret, another order, another payment.
  assert.equal(validatePaymentVerification(
    { order_id: razorpay_order_id, payment_id: razorpay_payment_id }, razorpay_signature, 'wrong-secret',
  ), false);
  assert.equal(validatePaymentVerification(
    { order_id: 'order_SomethingElse01', payment_id: razorpay_payment_id }, razorpay_signature, KEY_SECRET,
  ), false);
  assert.equal(validatePaymentVerification(
    { order_id: razorpay_order_id, payment_id: 'pay_SomethingElse001' }, razorpay_signature, KEY_SECRET,
  ), false);

  // What the handler was told is what the merchant's server then fetches.
  const fetched = await rzp.payments.fetch(razorpay_payment_id);
  assert.equal(fetched.order_id, razorpay_order_id);
  assert.equal(fetched.status, 'captured');
});

test('a declined checkout payment has no signature to verify', async () => {
  const order = await rzp.orders.create({ amount: 64000, currency: 'INR', receipt: unique('verify-fail') });
  const paymentId = await checkoutPayment(order.id, INSTRUMENTS.declined);
  assert.equal((await settled(rzp, paymentId)).status, 'failed');
  const r = await checkoutResult(paymentId);
  assert.ok(!r.body?.razorpay_signature, `no signature for a failed payment: ${JSON.stringify(r.body)}`);
});

// A merchant made with `paygate merchant create` signs with its own secret.
test('a created merchant\'s checkout result verifies with that merchant\'s secret',
  { skip: !OTHER_MERCHANT && 'no second merchant' }, async () => {
    const { api_key: key, api_secret: secret } = OTHER_MERCHANT;
    const other = sdk({ key_id: key, key_secret: secret });
    const order = await other.orders.create({ amount: 1500, currency: 'INR', receipt: unique('other') });
    const paymentId = await checkoutPayment(order.id, INSTRUMENTS.upiSuccess, { key });
    assert.equal((await settled(other, paymentId)).status, 'captured');
    const r = await checkoutResult(paymentId, key);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const ids = { order_id: order.id, payment_id: paymentId };
    assert.equal(validatePaymentVerification(ids, r.body.razorpay_signature, secret), true);
    assert.equal(validatePaymentVerification(ids, r.body.razorpay_signature, KEY_SECRET), false);
  });
