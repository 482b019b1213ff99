// /docs: Swagger UI renders the OpenAPI description, and in test mode "Try it
// out" works against the running server with the demo credentials prefilled.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, screenshot, GATEWAY, KEY } from '../lib/browser.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

test('/docs runs POST /orders with "Try it out" and sees 201', async () => {
  const page = await newPage(browser.context);
  await page.goto(`${GATEWAY}/docs`);
  const op = page.locator('#operations-Orders-createOrder');
  await op.locator('.opblock-summary').first().waitFor({ timeout: 20000 });
  assert.match(await op.locator('.opblock-summary-path').first().innerText(), /\/api\/v1\/orders/);

  // Authorize already holds the demo key and secret (from /docs/config.js).
  await page.locator('.auth-wrapper .authorize').click();
  const dialog = page.locator('.dialog-ux');
  await dialog.waitFor();
  const authorized = await dialog.locator('.auth-container').allInnerTexts();
  assert.ok(authorized.some((t) => t.includes('ApiKey') && /Authorized/.test(t)), authorized.join('|'));
  assert.ok(authorized.some((t) => t.includes('ApiSecret') && /Authorized/.test(t)), authorized.join('|'));
  await dialog.locator('.close-modal').click();

  await op.locator('.opblock-summary').first().click();
  await op.locator('.try-out__btn').click();
  await op.locator('.execute').click();
  const status = op.locator('.live-responses-table .response .response-col_status').first();
  await status.waitFor({ timeout: 20000 });
  assert.equal((await status.innerText()).trim(), '201');

  // The order really exists: the response shows its id, and the API returns it.
  const body = await op.locator('.live-responses-table .response-col_description pre').first().innerText();
  const order = JSON.parse(body);
  assert.match(order.id, /^order_[A-Za-z0-9]{16}$/);
  assert.equal(order.amount, 50000);
  const res = await fetch(`${GATEWAY}/api/v1/orders/${order.id}`, {
    headers: { 'X-Api-Key': KEY, 'X-Api-Secret': 'secret_test_xyz789' },
  });
  assert.equal(res.status, 200);

  await screenshot(page, 'docs-try-it-out');
  assert.deepEqual(page.errors, []);
});

test('/docs/config.js carries the demo credentials in test mode', async () => {
  const res = await fetch(`${GATEWAY}/docs/config.js`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/javascript/);
  const text = await res.text();
  assert.match(text, /^window\.PAYGATE_DOCS = /);
  assert.match(text, /"apiKey":"key_test_abc123"/);
  assert.match(text, /"apiSecret":"secret_test_xyz789"/);
});

test('/docs has the pages\' security headers', async () => {
  const res = await fetch(`${GATEWAY}/docs`);
  assert.equal(res.status, 200);
  const csp = res.headers.get('content-security-policy');
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
});
