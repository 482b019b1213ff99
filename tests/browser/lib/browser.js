// What every browser test needs: Debian's chromium through playwright-core,
// the gateway's address, screenshots, a merchant site on another origin, and
// polling with a deadline instead of sleeps.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';

export const GATEWAY = process.env.PAYGATE_URL ?? 'http://127.0.0.1:8000';
export const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? 'tests/out/browser';
export const KEY = 'key_test_abc123';
export const SECRET = 'secret_test_xyz789';

// A fresh chromium with its own profile, removed on close.
export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'paygate-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    viewport: { width: 1280, height: 800 },
  });
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}

// A page that fails the test on any script error or CSP violation.
export async function newPage(context, { width, height } = {}) {
  const page = await context.newPage();
  if (width) await page.setViewportSize({ width, height: height ?? 800 });
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) page.errors.push(m.text());
  });
  return page;
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

// Calls the API as the merchant (or publicly, with secret = null).
export async function api(method, path, body, { secret = SECRET, headers = {} } = {}) {
  const h = { 'X-Api-Key': KEY, ...headers };
  if (secret) h['X-Api-Secret'] = secret;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const res = await fetch(`${GATEWAY}/api/v1${path}`, {
    method, headers: h, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

export async function createOrder(amount = 50000, currency = 'INR') {
  const r = await api('POST', '/orders', { amount, currency, receipt: 'browser-test' });
  if (r.status !== 201) throw new Error(`order: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

// Polls fn until it returns a truthy value, or fails after the deadline.
export async function eventually(fn, { timeout = 15000, interval = 100, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${last}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

// Stops a test server now: the browser keeps its connections alive, and
// close() alone would wait for them to time out.
function closeServer(server) {
  const closed = new Promise((r) => server.close(r));
  server.closeAllConnections();
  return closed;
}

// A merchant's site on its own origin (another port), serving the given HTML:
// what checkout.js must work from, across origins.
export async function merchantSite(html) {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}/`;
  return { url, close: () => closeServer(server) };
}

// A webhook receiver: answers `status` (changeable) and keeps what it got.
export async function webhookReceiver(status = 200) {
  const received = [];
  const state = { status };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(state.status, { 'Content-Type': 'text/plain' });
      res.end(state.status < 300 ? 'ok' : 'not now');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/hooks`,
    received,
    setStatus: (s) => { state.status = s; },
    close: () => closeServer(server),
  };
}

// A successful checkout payment of a new order, by the public API.
export async function paidOrder(amount = 50000, vpa = 'success@upi') {
  const order = await createOrder(amount);
  const p = await api('POST', '/payments/public', { order_id: order.id, method: 'upi', vpa }, { secret: null });
  if (p.status !== 201) throw new Error(`payment: ${p.status} ${JSON.stringify(p.body)}`);
  return eventually(async () => {
    const r = await api('GET', `/payments/${p.body.id}`);
    return ['SUCCESS', 'FAILED'].includes(r.body.status) && r.body;
  }, { what: 'the payment to settle' });
}
