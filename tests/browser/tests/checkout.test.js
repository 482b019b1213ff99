// The hosted checkout, the checkout.js modal (from /demo and from a merchant
// site on another origin), validation, declines, retries and double clicks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, newPage, screenshot, api, createOrder, eventually, merchantSite, GATEWAY, KEY,
} from '../lib/browser.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

const modal = (page) => page.frameLocator('iframe[title="PayGate checkout"]');

async function paymentsOf(orderId) {
  const r = await api('GET', `/payments?order_id=${orderId}&count=100`);
  assert.equal(r.status, 200);
  return r.body.items;
}

test('the checkout shows the merchant and the amount in the order currency', async () => {
  const order = await createOrder(50000, 'INR');
  const page = await newPage(browser.context);
  await page.goto(`${GATEWAY}/checkout?order_id=${order.id}&key_id=${KEY}`);
  await page.getByTestId('amount').waitFor();
  assert.equal(await page.getByTestId('amount').textContent(), '₹500.00');
  assert.match(await page.locator('.co-merchant').textContent(), /Test Merchant|\w+/);
  await screenshot(page, 'checkout-upi');
  await page.getByRole('tab', { name: 'Card' }).click();
  await screenshot(page, 'checkout-card');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('/demo pays by UPI through the checkout.js modal', async () => {
  const page = await newPage(browser.context);
  await page.goto(`${GATEWAY}/demo`);
  await screenshot(page, 'demo');
  await page.getByRole('button', { name: 'Buy now' }).click();
  const frame = modal(page);
  await frame.getByLabel('UPI ID').fill('success@upi');
  await screenshot(page, 'demo-modal');
  await frame.getByTestId('pay').click();
  await frame.getByTestId('success').waitFor({ timeout: 15000 });
  await screenshot(page, 'demo-success');
  await eventually(async () => (await page.getByTestId('result').getAttribute('data-state')) === 'success',
    { what: 'onSuccess on the demo page' });
  const paymentId = await page.getByTestId('result').getAttribute('data-payment-id');
  const p = await api('GET', `/payments/${paymentId}`);
  assert.equal(p.body.status, 'SUCCESS');
  assert.equal(p.body.method, 'upi');
  // Done closes the modal and reports onClose.
  await frame.getByRole('button', { name: 'Done' }).click();
  await page.locator('[data-paygate=overlay]').waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('result').getAttribute('data-closed'), 'true');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('/demo pays by card, with the network shown and the number spaced', async () => {
  const page = await newPage(browser.context);
  await page.goto(`${GATEWAY}/demo`);
  await page.getByRole('button', { name: 'Buy now' }).click();
  const frame = modal(page);
  await frame.getByRole('tab', { name: 'Card' }).click();
  const number = frame.getByLabel('Card number');
  await number.pressSequentially('4111111111111111');
  assert.equal(await number.inputValue(), '4111 1111 1111 1111');
  assert.equal(await frame.getByTestId('card-network').textContent(), 'Visa');
  await frame.getByLabel('Expiry (MM/YY)').pressSequentially('1230');
  assert.equal(await frame.getByLabel('Expiry (MM/YY)').inputValue(), '12/30');
  await frame.getByLabel('CVV').fill('123');
  await frame.getByLabel('Name on card (optional)').fill('Asha Rao');
  await screenshot(page, 'demo-card');
  await frame.getByTestId('pay').click();
  await frame.getByTestId('success').waitFor({ timeout: 15000 });
  const paymentId = await frame.getByTestId('payment-id').textContent();
  const p = await api('GET', `/payments/${paymentId}`);
  assert.equal(p.body.status, 'SUCCESS');
  assert.equal(p.body.card_network, 'visa');
  assert.equal(p.body.card_last4, '1111');
  assert.equal(p.body.captured, true);
  await page.close();
});

test('checkout.js works from a merchant site on another origin', async () => {
  const site = await merchantSite(`<!doctype html><html><head><meta charset="utf-8">
<script src="${GATEWAY}/checkout.js"></script></head><body>
<button id="pay">Pay</button><p id="out"></p>
<script>
document.getElementById('pay').onclick = async () => {
  const res = await fetch('${GATEWAY}/api/v1/orders/public', {
    method: 'POST', headers: {'Content-Type': 'application/json', 'X-Api-Key': '${KEY}'},
    body: JSON.stringify({amount: 12345, currency: 'INR'})});
  const order = await res.json();
  window.events = [];
  new PayGate({key: '${KEY}', order_id: order.id,
    onSuccess: (r) => window.events.push(['success', r.payment_id]),
    onFailure: (r) => window.events.push(['failure', r.error.code]),
    onClose: () => window.events.push(['close'])}).open();
};
</script></body></html>`);
  const page = await newPage(browser.context);
  try {
    await page.goto(site.url);
    await page.click('#pay');
    const frame = modal(page);
    assert.equal(await frame.getByTestId('amount').textContent(), '₹123.45');
    await frame.getByLabel('UPI ID').fill('failure@upi');
    await frame.getByTestId('pay').click();
    await frame.getByTestId('failure').waitFor({ timeout: 15000 });
    await frame.getByTestId('retry').click();
    await frame.getByLabel('UPI ID').fill('shopper@okbank');
    await frame.getByTestId('pay').click();
    await frame.getByTestId('success').waitFor({ timeout: 15000 });
    await screenshot(page, 'merchant-site-success');
    const events = await eventually(async () => {
      const e = await page.evaluate(() => window.events);
      return e.length >= 2 && e;
    }, { what: 'the SDK callbacks' });
    assert.deepEqual(events[0], ['failure', 'PAYMENT_FAILED']);
    assert.equal(events[1][0], 'success');
    assert.match(events[1][1], /^pay_/);
    // Escape closes the modal.
    await page.keyboard.press('Escape');
    await page.locator('[data-paygate=overlay]').waitFor({ state: 'detached' });
    assert.deepEqual((await page.evaluate(() => window.events)).at(-1), ['close']);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
    await site.close();
  }
});

test('a declined card shows the reason and the shopper can try again', async () => {
  const order = await createOrder(25000);
  const page = await newPage(browser.context);
  await page.goto(`${GATEWAY}/checkout?order_id=${order.id}`);
  await page.getByRole('tab', { name: 'Card' }).click();
  await page.getByLabel('Card number').fill('4000 0000 0000 0002');
  await page.getByLabel('Expiry (MM/YY)').fill('12/30');
  await page.getByLabel('CVV').fill('123');
  await page.getByTestId('pay').click();
  await page.getByTestId('failure').waitFor({ timeout: 15000 });
  const reason = await page.getByTestId('failure-reason').textContent();
  const failedPayment = (await paymentsOf(order.id))[0];
  assert.equal(failedPayment.error_code, 'CARD_DECLINED');
  assert.equal(reason, failedPayment.error_description);
  await screenshot(page, 'checkout-declined');
  await page.getByTestId('retry').click();
  await page.getByRole('tab', { name: 'Card' }).click();
  await page.getByLabel('Card number').fill('4111111111111111');
  await page.getByLabel('Expiry (MM/YY)').fill('12/30');
  await page.getByLabel('CVV').fill('123');
  await page.getByTestId('pay').click();
  await page.getByTestId('success').waitFor({ timeout: 15000 });
  const statuses = (await paymentsOf(order.id)).map((p) => p.status).sort();
  assert.deepEqual(statuses, ['FAILED', 'SUCCESS']);
  await page.close();
});

test('a bad card number and an expired date are shown inline, before paying', async () => {
  const order = await createOrder();
  const page = await newPage(browser.context);
  await page.goto(`${GATEWAY}/checkout?order_id=${order.id}`);
  await page.getByRole('tab', { name: 'Card' }).click();
  await page.getByLabel('Card number').fill('4111 1111 1111 1112');
  await page.getByLabel('Expiry (MM/YY)').fill('01/20');
  await page.getByLabel('CVV').fill('12');
  await page.getByTestId('pay').click();
  assert.equal(await page.locator('#card-number-error').textContent(), 'This card number is not valid');
  assert.equal(await page.locator('#card-expiry-error').textContent(), 'This card has expired');
  assert.equal(await page.locator('#card-cvv-error').textContent(), 'The CVV is 3 digits');
  assert.equal(await page.getByLabel('Card number').getAttribute('aria-invalid'), 'true');
  await screenshot(page, 'checkout-validation');
  // Nothing was sent.
  assert.equal((await paymentsOf(order.id)).length, 0);
  // Fixing the number clears its error on blur.
  await page.getByLabel('Card number').fill('4111 1111 1111 1111');
  await page.getByLabel('CVV').focus();
  assert.equal(await page.locator('#card-number-error').textContent(), '');
  // A bad VPA too.
  await page.getByRole('tab', { name: 'UPI' }).click();
  await page.getByLabel('UPI ID').fill('not-a-vpa');
  await page.getByTestId('pay').click();
  assert.equal(await page.locator('#vpa-error').textContent(), 'Use the form name@bank');
  assert.equal((await paymentsOf(order.id)).length, 0);
  await page.close();
});

test('a double click on Pay creates one payment', async () => {
  const order = await createOrder();
  const page = await newPage(browser.context);
  await page.goto(`${GATEWAY}/checkout?order_id=${order.id}`);
  await page.getByLabel('UPI ID').fill('success@upi');
  await page.getByTestId('pay').dblclick();
  await page.getByTestId('success').waitFor({ timeout: 15000 });
  assert.equal((await paymentsOf(order.id)).length, 1);
  await page.close();
});

test('the checkout works with the keyboard alone', async () => {
  const order = await createOrder();
  const page = await newPage(browser.context);
  await page.goto(`${GATEWAY}/checkout?order_id=${order.id}`);
  await page.getByTestId('amount').waitFor();
  await page.keyboard.press('Tab'); // the UPI tab
  await page.keyboard.press('ArrowRight'); // the Card tab
  assert.equal(await page.getByRole('tab', { name: 'Card' }).getAttribute('aria-selected'), 'true');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.getByRole('tab', { name: 'UPI' }).getAttribute('aria-selected'), 'true');
  await page.keyboard.press('Tab'); // the UPI ID field
  await page.keyboard.type('keyboard@upi');
  await page.keyboard.press('Enter');
  await page.getByTestId('success').waitFor({ timeout: 15000 });
  assert.equal((await paymentsOf(order.id))[0].vpa, 'keyboard@upi');
  await page.close();
});

test('on a 375 px phone the checkout has no horizontal scroll', async () => {
  const order = await createOrder(123456789);
  const page = await newPage(browser.context, { width: 375, height: 740 });
  await page.goto(`${GATEWAY}/checkout?order_id=${order.id}`);
  await page.getByRole('tab', { name: 'Card' }).click();
  await page.getByLabel('Card number').fill('4111 1111 1111 1111');
  await page.getByTestId('pay').click();
  const overflow = await page.evaluate(() =>
    document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.equal(overflow, 0);
  await screenshot(page, 'checkout-phone');
  await page.close();
});
