// Razorpay Checkout through paygate: a merchant page written for Razorpay
// (its documented options, handler, payment.failed and modal.ondismiss), on
// its own origin, with only the script's URL changed to ${PAYGATE_URL}/v1/checkout.js.
// Its server creates each order with the Razorpay API (HTTP Basic key:secret)
// and verifies the handler's razorpay_signature as the razorpay SDK's
// validatePaymentVerification does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHmac } from 'node:crypto';
import { launch, newPage, screenshot, eventually, GATEWAY, KEY, SECRET } from '../lib/browser.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

const BASIC = `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}`;
const LOGO = 'data:image/svg+xml,' + encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" width="44" height="44"><rect width="44" height="44" fill="#3399cc"/></svg>');

// The merchant's server: POST /v1/orders, as an integration does with the razorpay SDK.
async function createOrder(amount) {
  const res = await fetch(`${GATEWAY}/v1/orders`, {
    method: 'POST',
    headers: { Authorization: BASIC, 'Content-Type': 'application/json' },
    body: JSON.stringify({ amount, currency: 'INR', receipt: 'rcpt_browser', notes: { shop: 'browser test' } }),
  });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`POST /v1/orders: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

// What the razorpay SDK's validatePaymentVerification checks.
function verifies({ razorpay_order_id: orderId, razorpay_payment_id: paymentId, razorpay_signature: signature }) {
  const expected = createHmac('sha256', SECRET).update(`${orderId}|${paymentId}`).digest('hex');
  return signature === expected;
}

// Razorpay's own sample integration, with the script's URL changed.
function page(order) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Acme shop</title>
<script src="${GATEWAY}/v1/checkout.js"></script></head><body>
<button id="rzp-button1">Pay with Razorpay</button>
<script>
window.paid = []; window.failures = []; window.dismissed = 0;
var options = {
  "key": "${KEY}",
  "amount": "${order.amount}",
  "currency": "INR",
  "name": "Acme Corp",
  "description": "Test Transaction",
  "image": "${LOGO}",
  "order_id": "${order.id}",
  "handler": function (response) { window.paid.push(response); },
  "prefill": { "name": "Gaurav Kumar", "email": "gaurav.kumar@example.com", "contact": "9000090000" },
  "notes": { "address": "Razorpay Corporate Office" },
  "theme": { "color": "#3399cc" },
  "modal": { "ondismiss": function () { window.dismissed += 1; } }
};
var rzp1 = new Razorpay(options);
rzp1.on('payment.failed', function (response) { window.failures.push(response.error); });
document.getElementById('rzp-button1').onclick = function (e) { rzp1.open(); e.preventDefault(); };
</script></body></html>`;
}

// The merchant's site, on its own origin: each visit creates a new order.
async function merchantSite(amount = 50000) {
  const orders = [];
  const server = http.createServer(async (req, res) => {
    if (req.url !== '/') {
      res.writeHead(404);
      res.end();
      return;
    }
    try {
      const order = await createOrder(amount);
      orders.push(order);
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(page(order));
    } catch (e) {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String(e));
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    orders,
    close: () => {
      const closed = new Promise((r) => server.close(r));
      server.closeAllConnections();
      return closed;
    },
  };
}

const checkout = (p) => p.frameLocator('iframe[data-paygate="razorpay-frame"]');

async function payByCard(frame, number) {
  await frame.getByRole('tab', { name: 'Card' }).click();
  await frame.getByLabel('Card number').fill(number);
  await frame.getByLabel('Expiry (MM/YY)').fill('12/30');
  await frame.getByLabel('CVV').fill('123');
  await frame.getByTestId('pay').click();
}

async function visit(site) {
  const p = await newPage(browser.context);
  await p.goto(site.url);
  const text = await p.textContent('body');
  if (!(await p.locator('#rzp-button1').count())) throw new Error(`the shop did not load: ${text}`);
  await p.click('#rzp-button1');
  return p;
}

test('a successful card payment calls handler with a signature that verifies', async () => {
  const site = await merchantSite(50000);
  const p = await visit(site);
  try {
    const frame = checkout(p);
    assert.equal(await frame.getByTestId('amount').textContent(), '₹500.00');
    // What the page asked to show.
    assert.equal(await frame.locator('.co-merchant').textContent(), 'Acme Corp');
    assert.equal(await frame.locator('.co-description').textContent(), 'Test Transaction');
    assert.equal(await frame.locator('.co-logo').getAttribute('src'), LOGO);
    await frame.getByRole('tab', { name: 'Card' }).click();
    assert.equal(await frame.getByLabel('Name on card (optional)').inputValue(), 'Gaurav Kumar');
    await screenshot(p, 'razorpay-checkout');
    await payByCard(frame, '4111 1111 1111 1111');
    const [response] = await eventually(async () => {
      const paid = await p.evaluate(() => window.paid);
      return paid.length > 0 && paid;
    }, { what: 'the handler' });
    assert.deepEqual(Object.keys(response).sort(),
      ['razorpay_order_id', 'razorpay_payment_id', 'razorpay_signature']);
    assert.equal(response.razorpay_order_id, site.orders[0].id);
    assert.match(response.razorpay_payment_id, /^pay_/);
    assert.match(response.razorpay_signature, /^[0-9a-f]{64}$/);
    assert.ok(verifies(response), 'razorpay_signature is HMAC-SHA256(order_id|payment_id) under the key secret');
    // A forged result does not verify.
    assert.ok(!verifies({ ...response, razorpay_payment_id: 'pay_forged0000000' }));
    // Razorpay closes its checkout on success, without a dismissal.
    await p.locator('[data-paygate=razorpay]').waitFor({ state: 'detached' });
    assert.equal(await p.evaluate(() => window.dismissed), 0);
    assert.deepEqual(await p.evaluate(() => window.failures), []);
    // The server agrees: the order is paid, by that payment.
    const order = await (await fetch(`${GATEWAY}/v1/orders/${response.razorpay_order_id}`,
      { headers: { Authorization: BASIC } })).json();
    assert.equal(order.status, 'paid');
    assert.deepEqual(p.errors, []);
  } finally {
    await p.close();
    await site.close();
  }
});

test('a declined card raises payment.failed with Razorpay\'s error, then a retry pays', async () => {
  const site = await merchantSite(25000);
  const p = await visit(site);
  try {
    const frame = checkout(p);
    await payByCard(frame, '4000 0000 0000 0002');
    await frame.getByTestId('failure').waitFor({ timeout: 15000 });
    const [error] = await eventually(async () => {
      const failures = await p.evaluate(() => window.failures);
      return failures.length > 0 && failures;
    }, { what: 'payment.failed' });
    await screenshot(p, 'razorpay-checkout-declined');
    assert.deepEqual(Object.keys(error).sort(),
      ['code', 'description', 'metadata', 'reason', 'source', 'step']);
    assert.equal(error.code, 'BAD_REQUEST_ERROR');
    assert.equal(error.source, 'bank');
    assert.equal(error.step, 'payment_authorization');
    assert.equal(error.reason, 'card_declined');
    assert.equal(error.description, await frame.getByTestId('failure-reason').textContent());
    assert.equal(error.metadata.order_id, site.orders[0].id);
    assert.match(error.metadata.payment_id, /^pay_/);
    assert.deepEqual(await p.evaluate(() => window.paid), []);
    // The checkout stays open, as Razorpay's does; the shopper tries again.
    assert.equal(await p.locator('[data-paygate=razorpay]').count(), 1);
    await frame.getByTestId('retry').click();
    await payByCard(frame, '4111 1111 1111 1111');
    const [response] = await eventually(async () => {
      const paid = await p.evaluate(() => window.paid);
      return paid.length > 0 && paid;
    }, { what: 'the handler after the retry' });
    assert.ok(verifies(response));
    assert.notEqual(response.razorpay_payment_id, error.metadata.payment_id);
    assert.equal((await p.evaluate(() => window.failures)).length, 1);
    assert.deepEqual(p.errors, []);
  } finally {
    await p.close();
    await site.close();
  }
});

test('closing the checkout calls modal.ondismiss', async () => {
  const site = await merchantSite();
  const p = await visit(site);
  try {
    // The checkout's × button.
    await checkout(p).getByRole('button', { name: 'Close checkout' }).click();
    await p.locator('[data-paygate=razorpay]').waitFor({ state: 'detached' });
    assert.equal(await p.evaluate(() => window.dismissed), 1);
    // Escape, on a second opening.
    await p.click('#rzp-button1');
    await checkout(p).getByTestId('amount').waitFor();
    await p.keyboard.press('Escape');
    await p.locator('[data-paygate=razorpay]').waitFor({ state: 'detached' });
    assert.equal(await p.evaluate(() => window.dismissed), 2);
    // rzp.close() from the page.
    await p.click('#rzp-button1');
    await checkout(p).getByTestId('amount').waitFor();
    await p.evaluate(() => rzp1.close());
    assert.equal(await p.locator('[data-paygate=razorpay]').count(), 0);
    assert.equal(await p.evaluate(() => window.dismissed), 3);
    assert.deepEqual(await p.evaluate(() => [window.paid, window.failures]), [[], []]);
    assert.deepEqual(p.errors, []);
  } finally {
    await p.close();
    await site.close();
  }
});
