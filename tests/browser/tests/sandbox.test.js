// The sandbox's authentication step in chromium: a card payment through the
// hosted checkout's OTP step (the right OTP, a wrong one three times, a
// rejection), a UPI approval in the checkout, and the hosted page an API-only
// integration opens (next_action.url) approving a UPI payment.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, newPage, screenshot, api, createOrder, eventually, GATEWAY, KEY,
} from '../lib/browser.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

const OTP_CARD = '4000000000003220';

async function paymentsOf(orderId) {
  const r = await api('GET', `/payments?order_id=${orderId}&count=100`);
  assert.equal(r.status, 200);
  return r.body.items;
}

// The hosted checkout of a new order, the card entered and Pay pressed: the
// OTP step is shown.
async function payByOtpCard(page, name) {
  const order = await createOrder(50000, 'INR');
  await page.goto(`${GATEWAY}/checkout?order_id=${order.id}&key_id=${KEY}`);
  await page.getByRole('tab', { name: 'Card' }).click();
  await page.getByLabel('Card number').fill(OTP_CARD);
  await page.getByLabel('Expiry (MM/YY)').fill('12/30');
  await page.getByLabel('CVV').fill('123');
  await page.getByTestId('pay').click();
  await page.getByTestId('authentication').waitFor({ timeout: 15000 });
  assert.equal(await page.getByTestId('authentication').getAttribute('data-type'), 'otp');
  await screenshot(page, `${name}-otp`);
  const [payment] = await paymentsOf(order.id);
  assert.equal(payment.status, 'CREATED');
  assert.equal(payment.next_action.type, 'otp');
  return { order, payment };
}

test('a card payment through the checkout\'s OTP step, with the right OTP', async () => {
  const page = await newPage(browser.context);
  const { payment } = await payByOtpCard(page, 'sandbox-card-ok');
  assert.match(await page.getByTestId('auth-attempts').textContent(), /3 attempts left/);
  await page.getByLabel('Enter the OTP').fill('123456');
  await page.getByTestId('auth-submit').click();
  await page.getByTestId('success').waitFor({ timeout: 15000 });
  await screenshot(page, 'sandbox-card-ok-success');
  assert.equal(await page.getByTestId('payment-id').textContent(), payment.id);
  const p = await api('GET', `/payments/${payment.id}`);
  assert.equal(p.body.status, 'SUCCESS');
  assert.equal(p.body.captured, true);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a wrong OTP three times fails the payment, with the attempts counted down', async () => {
  const page = await newPage(browser.context);
  const { payment } = await payByOtpCard(page, 'sandbox-card-wrong');
  const otp = page.getByLabel('Enter the OTP');
  for (const left of [2, 1]) {
    await otp.fill('000000');
    await page.getByTestId('auth-submit').click();
    await eventually(async () => /incorrect/i.test(await page.getByTestId('auth-error').textContent())
      && (await page.getByTestId('auth-attempts').textContent()).startsWith(`${left} attempt`),
    { what: `${left} attempts left` });
  }
  await screenshot(page, 'sandbox-card-wrong-last-attempt');
  // Not six digits: said at once, no attempt spent.
  await otp.fill('12');
  await page.getByTestId('auth-submit').click();
  assert.match(await page.getByTestId('auth-error').textContent(), /6 digits/);
  assert.match(await page.getByTestId('auth-attempts').textContent(), /^1 attempt left/);
  await otp.fill('999999');
  await page.getByTestId('auth-submit').click();
  await page.getByTestId('failure').waitFor({ timeout: 15000 });
  await screenshot(page, 'sandbox-card-wrong-failed');
  assert.match(await page.locator('.co-ref code').textContent(), /AUTHENTICATION_FAILED/);
  const p = await api('GET', `/payments/${payment.id}`);
  assert.equal(p.body.status, 'FAILED');
  assert.equal(p.body.error_code, 'AUTHENTICATION_FAILED');
  // The shopper may try again, with another card.
  await page.getByTestId('retry').click();
  await page.getByTestId('pay').waitFor();
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('rejecting on the OTP step fails the payment as cancelled', async () => {
  const page = await newPage(browser.context);
  const { payment } = await payByOtpCard(page, 'sandbox-card-reject');
  await page.getByTestId('auth-reject').click();
  await page.getByTestId('failure').waitFor({ timeout: 15000 });
  await screenshot(page, 'sandbox-card-rejected');
  assert.match(await page.locator('.co-ref code').textContent(), /PAYMENT_CANCELLED/);
  const p = await api('GET', `/payments/${payment.id}`);
  assert.equal(p.body.status, 'FAILED');
  assert.equal(p.body.error_code, 'PAYMENT_CANCELLED');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a UPI payment approved in the checkout modal of /demo', async () => {
  const page = await newPage(browser.context);
  await page.goto(`${GATEWAY}/demo`);
  await page.getByRole('button', { name: 'Buy now' }).click();
  const frame = page.frameLocator('iframe[title="PayGate checkout"]');
  await frame.getByLabel('UPI ID').fill('otp@upi');
  await frame.getByTestId('pay').click();
  await frame.getByTestId('authentication').waitFor({ timeout: 15000 });
  assert.equal(await frame.getByTestId('authentication').getAttribute('data-type'), 'upi_approve');
  await screenshot(page, 'sandbox-upi-checkout');
  await frame.getByTestId('auth-approve').click();
  await frame.getByTestId('success').waitFor({ timeout: 15000 });
  await eventually(async () => (await page.getByTestId('result').getAttribute('data-state')) === 'success',
    { what: 'onSuccess on the demo page' });
  const paymentId = await page.getByTestId('result').getAttribute('data-payment-id');
  const p = await api('GET', `/payments/${paymentId}`);
  assert.equal(p.body.status, 'SUCCESS');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the hosted page at next_action.url approves a UPI payment made through the API', async () => {
  const order = await createOrder(25000, 'INR');
  const made = await api('POST', '/payments', { order_id: order.id, method: 'upi', vpa: 'otp@upi' });
  assert.equal(made.status, 201);
  assert.equal(made.body.next_action.type, 'upi_approve');
  const page = await newPage(browser.context);
  await page.goto(made.body.next_action.url);
  await page.getByTestId('authentication').waitFor();
  assert.equal(await page.getByTestId('amount').textContent(), '₹250.00');
  assert.match(await page.getByTestId('authentication').textContent(), /o\*\*\*@upi/);
  await screenshot(page, 'sandbox-upi-page');
  await page.getByTestId('auth-approve').click();
  await page.getByTestId('auth-result').waitFor();
  assert.equal(await page.getByTestId('auth-result').getAttribute('data-status'), 'approved');
  await screenshot(page, 'sandbox-upi-page-approved');
  await eventually(async () => (await api('GET', `/payments/${made.body.id}`)).body.status === 'SUCCESS',
    { what: 'the payment to succeed' });
  // Opened again, the page says how it ended.
  await page.reload();
  await page.getByTestId('auth-result').waitFor();
  assert.equal(await page.getByTestId('auth-result').getAttribute('data-status'), 'approved');
  // Without its token the page has nothing to show.
  await page.goto(`${GATEWAY}/authenticate/${made.body.id}`);
  await page.getByText('Cannot show this page').waitFor();
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the hosted page rejects a UPI payment', async () => {
  const order = await createOrder(25000, 'INR');
  const made = await api('POST', '/payments', { order_id: order.id, method: 'upi', vpa: 'otp@upi' });
  const page = await newPage(browser.context);
  await page.goto(made.body.next_action.url);
  await page.getByTestId('auth-reject').click();
  await page.getByTestId('auth-result').waitFor();
  assert.equal(await page.getByTestId('auth-result').getAttribute('data-status'), 'rejected');
  const p = await api('GET', `/payments/${made.body.id}`);
  assert.equal(p.body.error_code, 'PAYMENT_CANCELLED');
  assert.deepEqual(page.errors, []);
  await page.close();
});
