// Every page loads without a script error or CSP violation, with the security
// headers; only the checkout may be framed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, screenshot, GATEWAY } from '../lib/browser.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

for (const path of ['/checkout', '/dashboard', '/demo']) {
  test(`${path} has the security headers`, async () => {
    const res = await fetch(GATEWAY + path);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    const csp = res.headers.get('content-security-policy');
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    if (path === '/checkout') {
      assert.match(csp, /frame-ancestors \*/);
      assert.equal(res.headers.get('x-frame-options'), null);
    } else {
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
    }
    assert.ok(res.headers.get('etag'));
  });
}

test('an unchanged asset is revalidated with a 304', async () => {
  const first = await fetch(`${GATEWAY}/checkout.js`);
  assert.equal(first.status, 200);
  assert.match(first.headers.get('content-type'), /^text\/javascript/);
  const again = await fetch(`${GATEWAY}/checkout.js`, {
    headers: { 'If-None-Match': first.headers.get('etag') },
  });
  assert.equal(again.status, 304);
});

test('the dashboard page loads in chromium without errors', async () => {
  const page = await newPage(browser.context);
  await page.goto(`${GATEWAY}/dashboard`);
  await page.waitForLoadState('networkidle');
  await screenshot(page, 'dashboard-signin');
  assert.deepEqual(page.errors, []);
});
