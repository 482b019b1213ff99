// rzp.orders: create, fetch, all (count, skip, from, to, receipt, authorized),
// edit (notes) and fetchPayments, as Razorpay documents them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  sdk, nowSeconds, unique, checkoutPayment, merchantPayment, settled, paidOrder, INSTRUMENTS,
} from '../lib/paygate.js';

const rzp = sdk();

function assertOrderShape(o) {
  assert.match(o.id, /^order_[A-Za-z0-9]+$/);
  assert.equal(o.entity, 'order');
  for (const k of ['amount', 'amount_paid', 'amount_due', 'attempts', 'created_at']) {
    assert.equal(typeof o[k], 'number', `${k} is a number`);
  }
  assert.equal(typeof o.currency, 'string');
  assert.ok('receipt' in o && 'offer_id' in o && 'notes' in o, 'receipt, offer_id and notes are present');
  assert.ok(['created', 'attempted', 'paid'].includes(o.status), `status ${o.status}`);
}

test('orders.create answers a Razorpay order: created, nothing paid, Unix-second created_at', async () => {
  const before = nowSeconds();
  const receipt = unique('rcpt');
  const order = await rzp.orders.create({
    amount: 50000, currency: 'INR', receipt, notes: { customer: 'Asha Rao', sku: 'tea-250g' },
  });
  assertOrderShape(order);
  assert.equal(order.amount, 50000);
  assert.equal(order.amount_paid, 0);
  assert.equal(order.amount_due, 50000);
  assert.equal(order.currency, 'INR');
  assert.equal(order.receipt, receipt);
  assert.equal(order.offer_id, null);
  assert.equal(order.status, 'created');
  assert.equal(order.attempts, 0);
  assert.deepEqual(order.notes, { customer: 'Asha Rao', sku: 'tea-250g' });
  assert.ok(order.created_at >= before - 1 && order.created_at <= nowSeconds() + 1,
    `created_at ${order.created_at} is now in Unix seconds`);
});

test('orders.create: the SDK\'s default currency (INR), empty notes as [] and partial_payment', async () => {
  const order = await rzp.orders.create({ amount: 100, receipt: unique('min'), partial_payment: false });
  assert.equal(order.currency, 'INR');
  assert.equal(order.amount, 100);
  // Razorpay renders empty notes as an empty array.
  assert.deepEqual(order.notes, []);
});

test('orders.fetch returns the order as created', async () => {
  const created = await rzp.orders.create({ amount: 12345, currency: 'INR', receipt: unique('fetch'), notes: { a: '1' } });
  const fetched = await rzp.orders.fetch(created.id);
  assert.deepEqual(fetched, created);
});

test('orders.fetch after a paid checkout: paid, amount_paid, amount_due 0, one attempt', async () => {
  const [order, payment] = await paidOrder(rzp, { amount: 25000 });
  assert.equal(payment.status, 'captured');
  const o = await rzp.orders.fetch(order.id);
  assertOrderShape(o);
  assert.equal(o.status, 'paid');
  assert.equal(o.amount_paid, 25000);
  assert.equal(o.amount_due, 0);
  assert.equal(o.attempts, 1);
});

test('orders.fetch after a failed payment: attempted, nothing paid', async () => {
  const order = await rzp.orders.create({ amount: 25000, currency: 'INR', receipt: unique('failed') });
  const payment = await settled(rzp, await checkoutPayment(order.id, INSTRUMENTS.upiFailure));
  assert.equal(payment.status, 'failed');
  const o = await rzp.orders.fetch(order.id);
  assert.equal(o.status, 'attempted');
  assert.equal(o.attempts, 1);
  assert.equal(o.amount_paid, 0);
  assert.equal(o.amount_due, 25000);
});

test('orders.all is a collection, newest first, paged by count and skip', async () => {
  const receipt = unique('page');
  const ids = [];
  for (let i = 0; i < 3; i++) {
    ids.push((await rzp.orders.create({ amount: 1000 + i, currency: 'INR', receipt })).id);
  }
  const all = await rzp.orders.all({ receipt });
  assert.equal(all.entity, 'collection');
  assert.equal(all.count, 3);
  assert.deepEqual(all.items.map((o) => o.id), [...ids].reverse());
  all.items.forEach(assertOrderShape);

  const first = await rzp.orders.all({ receipt, count: 2 });
  assert.equal(first.count, 2);
  assert.deepEqual(first.items.map((o) => o.id), [ids[2], ids[1]]);
  const rest = await rzp.orders.all({ receipt, count: 2, skip: 2 });
  assert.equal(rest.count, 1);
  assert.deepEqual(rest.items.map((o) => o.id), [ids[0]]);
  const none = await rzp.orders.all({ receipt, skip: 3 });
  assert.equal(none.count, 0);
  assert.deepEqual(none.items, []);
});

test('orders.all without filters lists the newest orders, at most count', async () => {
  const order = await rzp.orders.create({ amount: 777, currency: 'INR', receipt: unique('newest') });
  const list = await rzp.orders.all({ count: 1 });
  assert.equal(list.count, 1);
  assert.equal(list.items[0].id, order.id);
  const ten = await rzp.orders.all();
  assert.ok(ten.count <= 10 && ten.count === ten.items.length, 'the SDK asks for 10 by default');
});

test('orders.all by from and to (Unix seconds, and dates the SDK converts)', async () => {
  const receipt = unique('window');
  const order = await rzp.orders.create({ amount: 5000, currency: 'INR', receipt });
  const t = order.created_at;
  const ids = async (params) => (await rzp.orders.all({ receipt, ...params })).items.map((o) => o.id);
  assert.deepEqual(await ids({ from: t - 5, to: t + 5 }), [order.id]);
  assert.deepEqual(await ids({ from: t - 5 }), [order.id]);
  assert.deepEqual(await ids({ to: t + 5 }), [order.id]);
  assert.deepEqual(await ids({ from: t + 60 }), []);
  assert.deepEqual(await ids({ to: t - 60 }), []);
  // The SDK turns a date string into Unix seconds itself.
  assert.deepEqual(await ids({ from: new Date((t - 5) * 1000).toISOString() }), [order.id]);
});

test('orders.all by receipt finds only that receipt', async () => {
  const receipt = unique('only');
  const order = await rzp.orders.create({ amount: 4200, currency: 'INR', receipt });
  await rzp.orders.create({ amount: 4200, currency: 'INR', receipt: unique('other') });
  const list = await rzp.orders.all({ receipt });
  assert.deepEqual(list.items.map((o) => o.id), [order.id]);
  assert.equal(list.items[0].receipt, receipt);
});

test('orders.all by authorized: 1 lists orders with an authorized payment, 0 the others', async () => {
  const receipt = unique('authz');
  const unpaid = await rzp.orders.create({ amount: 3000, currency: 'INR', receipt });
  const authorized = await rzp.orders.create({ amount: 3000, currency: 'INR', receipt });
  const p = await settled(rzp, await merchantPayment(authorized.id, INSTRUMENTS.visa));
  assert.equal(p.status, 'authorized');
  const failed = await rzp.orders.create({ amount: 3000, currency: 'INR', receipt });
  assert.equal((await settled(rzp, await checkoutPayment(failed.id, INSTRUMENTS.declined))).status, 'failed');

  const yes = await rzp.orders.all({ receipt, authorized: 1 });
  assert.deepEqual(yes.items.map((o) => o.id), [authorized.id]);
  const no = await rzp.orders.all({ receipt, authorized: 0 });
  assert.deepEqual(no.items.map((o) => o.id).sort(), [unpaid.id, failed.id].sort());
});

test('orders.edit replaces the notes, and the order keeps them', async () => {
  const order = await rzp.orders.create({ amount: 9900, currency: 'INR', receipt: unique('edit'), notes: { old: 'yes' } });
  const edited = await rzp.orders.edit(order.id, { notes: { shipping: 'express', gift: 'no' } });
  assertOrderShape(edited);
  assert.equal(edited.id, order.id);
  assert.deepEqual(edited.notes, { shipping: 'express', gift: 'no' });
  assert.equal(edited.amount, 9900);
  assert.equal(edited.receipt, order.receipt);
  assert.deepEqual((await rzp.orders.fetch(order.id)).notes, { shipping: 'express', gift: 'no' });
});

test('orders.fetchPayments lists the order\'s payments as Razorpay payments', async () => {
  const order = await rzp.orders.create({ amount: 20000, currency: 'INR', receipt: unique('payments') });
  const empty = await rzp.orders.fetchPayments(order.id);
  assert.equal(empty.entity, 'collection');
  assert.equal(empty.count, 0);
  assert.deepEqual(empty.items, []);

  const failedId = await checkoutPayment(order.id, INSTRUMENTS.declined);
  await settled(rzp, failedId);
  const paidId = await checkoutPayment(order.id, INSTRUMENTS.visa);
  await settled(rzp, paidId);
  const list = await rzp.orders.fetchPayments(order.id);
  assert.equal(list.entity, 'collection');
  assert.equal(list.count, 2);
  const byId = Object.fromEntries(list.items.map((p) => [p.id, p]));
  assert.deepEqual(Object.keys(byId).sort(), [failedId, paidId].sort());
  for (const p of list.items) {
    assert.equal(p.entity, 'payment');
    assert.equal(p.order_id, order.id);
  }
  assert.equal(byId[paidId].status, 'captured');
  assert.equal(byId[failedId].status, 'failed');
  assert.equal((await rzp.orders.fetch(order.id)).attempts, 2);
});
