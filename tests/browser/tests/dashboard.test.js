// The merchant dashboard in a browser: sign in, see a payment, refund part of
// it, register a webhook, retry a delivery, and the pages on a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, newPage, screenshot, api, eventually, GATEWAY, KEY, SECRET, webhookReceiver, paidOrder,
} from '../lib/browser.js';

let browser;
let receiver;
before(async () => {
  browser = await launch();
  receiver = await webhookReceiver(500);
});
after(async () => {
  await browser.close();
  await receiver.close();
});

async function signIn(page, secret = SECRET) {
  await page.goto(`${GATEWAY}/dashboard`);
  await page.getByLabel('API key').fill(KEY);
  await page.getByLabel('API secret').fill(secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('a wrong secret is refused; the right one signs in, kept in this tab only', async () => {
  const page = await newPage(browser.context);
  await signIn(page, 'secret_wrong');
  await page.getByText('That key and secret do not match.').waitFor();
  await screenshot(page, 'dashboard-signin-refused');
  await page.getByLabel('API secret').fill(SECRET);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  assert.equal(await page.evaluate(() => document.cookie), '');
  assert.doesNotMatch(page.url(), /secret/);
  const stored = await page.evaluate(() => Object.values(sessionStorage).join(' '));
  assert.match(stored, /secret_test_xyz789/);
  assert.equal(await page.evaluate(() => Object.keys(localStorage).length), 0);
  await page.close();
});

test('the overview shows the stats and a chart of payments per hour', async () => {
  await paidOrder(30000);
  const page = await newPage(browser.context);
  await signIn(page);
  await page.locator('svg.chart').waitFor();
  const values = await page.locator('svg.chart rect.bar').evaluateAll(
    (bars) => bars.map((b) => Number(b.getAttribute('data-value'))));
  assert.equal(values.length, 24);
  assert.ok(values.at(-1) >= 1, `the current hour has the payment: ${values}`);
  const stats = await api('GET', '/admin/stats');
  if (stats.status === 200) {
    await page.getByTestId('stat-payments-total').waitFor();
    assert.equal(await page.getByTestId('stat-payments-total').textContent(),
      String(stats.body.payments.total));
  }
  await screenshot(page, 'dashboard-overview');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the dashboard lists the payment, filters it, and issues a partial refund', async () => {
  const payment = await paidOrder(50000, 'dash@upi');
  assert.equal(payment.status, 'SUCCESS');
  const page = await newPage(browser.context);
  await signIn(page);
  await page.getByRole('link', { name: 'Payments', exact: true }).click();
  const row = page.getByRole('link', { name: payment.id });
  await row.waitFor();
  await screenshot(page, 'dashboard-payments');
  await page.getByLabel('Method').selectOption('card');
  await page.waitForURL(/method=card/);
  await page.locator('#view table, #view .empty').first().waitFor();
  assert.equal(await row.count(), 0);
  await page.getByLabel('Method').selectOption('upi');
  await page.getByLabel('Status').selectOption('SUCCESS');
  await row.waitFor();
  assert.match(page.url(), /status=SUCCESS/);
  await row.click();
  await page.getByRole('heading', { name: `Payment ${payment.id}` }).waitFor();
  await page.getByLabel(/^Amount \(INR/).fill('120.50');
  await page.getByLabel('Reason (optional)').fill('One item returned');
  await page.getByRole('button', { name: 'Refund' }).click();
  await page.getByText(/Refund refund_\w+ created/).waitFor();
  const refunds = await api('GET', `/refunds?payment_id=${payment.id}`);
  assert.equal(refunds.body.items.length, 1);
  assert.equal(refunds.body.items[0].amount, 12050);
  assert.equal(refunds.body.items[0].reason, 'One item returned');
  await page.getByRole('cell', { name: '₹120.50' }).waitFor();
  await page.getByTestId('timeline').getByText(/requested/).waitFor();
  await screenshot(page, 'dashboard-payment-detail');
  // The refunds page lists it.
  await page.getByRole('link', { name: 'Refunds', exact: true }).click();
  await page.getByText(refunds.body.items[0].id).waitFor();
  await screenshot(page, 'dashboard-refunds');
  // Orders page, with paging controls.
  await page.getByRole('link', { name: 'Orders', exact: true }).click();
  await page.getByText(payment.order_id).waitFor();
  assert.equal(await page.getByRole('button', { name: '← Previous' }).isDisabled(), true);
  await screenshot(page, 'dashboard-orders');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the dashboard registers a webhook and retries a failed delivery', async () => {
  const page = await newPage(browser.context);
  await signIn(page);
  await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
  await page.getByLabel('URL').fill(receiver.url);
  await page.getByRole('button', { name: 'Register' }).click();
  const secret = await page.getByTestId('webhook-secret').textContent();
  assert.match(secret, /^[0-9a-f]{64}$/);
  await screenshot(page, 'dashboard-webhooks');
  const hooks = await api('GET', '/webhooks');
  assert.equal(hooks.body.length, 1);
  assert.equal(hooks.body[0].url, receiver.url);

  // The receiver answers 500: the delivery of this payment's event fails.
  const payment = await paidOrder(20000);
  await eventually(() => receiver.received.some((r) => r.body.includes(payment.id)),
    { what: 'the first delivery' });
  const entry = await eventually(async () => {
    const logs = await api('GET', '/webhook-logs?count=100');
    return logs.body.find((d) => d.event_type === 'payment.success' && d.attempts >= 1);
  }, { what: 'a log entry with an attempt' });
  receiver.setStatus(200);
  const before = receiver.received.length;

  await page.getByRole('link', { name: 'Webhook logs' }).first().click();
  await page.getByRole('heading', { name: 'Webhook deliveries' }).waitFor();
  const retry = page.locator(`button.retry[data-log="${entry.id}"]`);
  await retry.waitFor();
  await retry.click();
  await page.getByText('Webhook retry queued').waitFor();
  await eventually(async () => {
    const d = await api('GET', `/webhook-logs/${entry.id}`);
    return d.body.status === 'success';
  }, { what: 'the retried delivery to succeed' });
  assert.ok(receiver.received.length > before);
  // Every attempt is listed: the failed one and the retry.
  await page.reload();
  const row = page.locator('tr', { has: page.locator(`button.retry[data-log="${entry.id}"]`) });
  await row.getByText('Every attempt').click();
  await row.getByRole('cell', { name: '500' }).first().waitFor();
  await row.getByRole('cell', { name: '200' }).first().waitFor();
  await screenshot(page, 'dashboard-webhook-logs');

  // Send a test event and rotate the secret from the webhook's card.
  await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
  await page.getByRole('button', { name: 'Send test event' }).click();
  await page.getByText(/Test webhook queued/).waitFor();
  await eventually(() => receiver.received.some((r) => r.body.includes('webhook.test')),
    { what: 'the test event' });
  await page.getByRole('button', { name: 'Rotate secret' }).click();
  const rotated = await page.getByTestId('webhook-secret').textContent();
  assert.notEqual(rotated, secret);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the API keys page shows the key, never the secret, and the curl to start', async () => {
  const page = await newPage(browser.context);
  await signIn(page);
  await page.getByRole('link', { name: 'API keys' }).click();
  assert.equal(await page.getByTestId('api-key').textContent(), KEY);
  const curl = await page.getByTestId('curl').textContent();
  assert.match(curl, /curl -s -X POST .*\/api\/v1\/orders/);
  assert.match(curl, /X-Api-Key/);
  assert.doesNotMatch(await page.locator('body').textContent(), /secret_test_xyz789/);
  await screenshot(page, 'dashboard-keys');
  await page.close();
});

test('on a 375 px phone no dashboard page scrolls sideways', async () => {
  const page = await newPage(browser.context, { width: 375, height: 800 });
  await signIn(page);
  for (const route of ['overview', 'orders', 'payments', 'refunds', 'webhooks', 'webhook-logs', 'keys']) {
    await page.goto(`${GATEWAY}/dashboard#/${route}`);
    await page.locator('#view h1').waitFor();
    await page.waitForLoadState('networkidle');
    const overflow = await page.evaluate(() =>
      document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, `${route} scrolls sideways by ${overflow}px`);
    await screenshot(page, `dashboard-phone-${route}`);
  }
  await page.close();
});
