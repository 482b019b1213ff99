// The dashboard's Events page and live request log in a browser, against a
// real paygate: events made through the API are listed, filtered, shown with
// their payload and deliveries, resent to a real receiver; the list and the
// request log follow their streams live; the stream resumes from
// Last-Event-ID after a drop; leaving a page ends its stream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, newPage, screenshot, api, eventually, GATEWAY, KEY, SECRET, webhookReceiver, paidOrder,
} from '../lib/browser.js';

let browser;
let receiver;
let webhook;
before(async () => {
  browser = await launch();
  receiver = await webhookReceiver(200);
  const r = await api('POST', '/webhooks', { url: receiver.url });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  webhook = r.body;
});
after(async () => {
  await api('DELETE', `/webhooks/${webhook.id}`);
  await browser.close();
  await receiver.close();
});

// Records every stream the page opens (and its signal), before the app runs.
async function streamingPage(options) {
  const page = await newPage(browser.context, options);
  await page.addInitScript(() => {
    const fetch0 = window.fetch;
    window.streams = [];
    window.fetch = (url, init) => {
      if (String(url).includes('/stream')) window.streams.push({ url: String(url), signal: init?.signal });
      return fetch0(url, init);
    };
  });
  return page;
}

async function signIn(page) {
  await page.goto(`${GATEWAY}/dashboard`);
  await page.getByLabel('API key').fill(KEY);
  await page.getByLabel('API secret').fill(SECRET);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
}

async function eventOf(objectId, type) {
  return eventually(async () => {
    const r = await api('GET', `/events?object_id=${objectId}&type=${type}`);
    return r.body.items[0];
  }, { what: `the ${type} event of ${objectId}` });
}

const live = (page) => page.locator('[data-testid=live-state][data-state=live]').waitFor();
const bodiesWith = (text) => receiver.received.filter((r) => r.body.includes(text));

test('the Events page lists, filters, shows the payload and deliveries, and resends to a receiver', async () => {
  const paid = await paidOrder(41000);
  const failed = await paidOrder(42000, 'failure@upi');
  assert.equal(failed.status, 'FAILED');
  const success = await eventOf(paid.id, 'payment.success');
  const failure = await eventOf(failed.id, 'payment.failed');
  await eventually(() => bodiesWith(success.id).length === 1, { what: 'the first delivery of the event' });

  const page = await newPage(browser.context);
  await signIn(page);
  await page.getByRole('link', { name: 'Events', exact: true }).click();
  await page.getByRole('heading', { name: 'Events' }).waitFor();
  const successRow = page.getByRole('link', { name: success.id });
  const failureRow = page.getByRole('link', { name: failure.id });
  await successRow.waitFor();
  await failureRow.waitFor();
  // Newest first.
  const ids = await page.locator('[data-testid=events-list] tbody tr td:first-child a').allTextContents();
  assert.ok(ids.indexOf(failure.id) < ids.indexOf(success.id), ids.join(' '));
  await screenshot(page, 'dashboard-events');

  // Filter by type, then by object id.
  await page.getByLabel('Type').selectOption('payment.failed');
  await page.waitForURL(/type=payment\.failed/);
  await failureRow.waitFor();
  assert.equal(await successRow.count(), 0);
  await page.getByLabel('Type').selectOption('');
  await page.getByLabel('Object id').fill(paid.id);
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(/object_id=/);
  await successRow.waitFor();
  assert.equal(await failureRow.count(), 0);

  // The event: its payload is the body its webhooks carry.
  await successRow.click();
  await page.getByRole('heading', { name: `Event ${success.id}` }).waitFor();
  const payload = JSON.parse(await page.getByTestId('payload').textContent());
  assert.deepEqual(payload, success);
  assert.deepEqual(JSON.parse(bodiesWith(success.id)[0].body), success);
  assert.equal(payload.data.payment.id, paid.id);
  // Its delivery to the receiver, answered 200.
  const deliveries = page.getByTestId('deliveries');
  // (Other endpoints registered by earlier tests get deliveries of their own.)
  const ours = deliveries.locator('tbody tr', { hasText: receiver.url });
  await ours.first().waitFor();
  await ours.getByText('success').waitFor();
  assert.equal(await ours.count(), 1);

  // Resend to the receiver's endpoint: a new delivery arrives there and the
  // page lists it beside the first.
  await page.getByLabel('Send to').selectOption(webhook.id);
  await page.getByRole('button', { name: 'Resend' }).click();
  await page.getByTestId('resend-msg').getByText('Resent: 1 new delivery queued.').waitFor();
  await eventually(() => bodiesWith(success.id).length === 2, { what: 'the resent delivery' });
  assert.deepEqual(JSON.parse(bodiesWith(success.id)[1].body), success);
  await eventually(async () => (await ours.count()) === 2, { what: 'the page to list the new delivery' });
  await eventually(async () => (await ours.filter({ hasText: 'success' }).count()) === 2,
    { what: 'both deliveries to show success' });
  const logs = await api('GET', `/webhook-logs?event_id=${success.id}&webhook_id=${webhook.id}`);
  assert.equal(logs.body.length, 2);
  assert.ok(logs.body.every((d) => d.status === 'success' && d.event_id === success.id));
  // Its attempts, from the delivery's log.
  await ours.first().getByText('Every attempt').click();
  await ours.first().locator('details td[data-label=Response]', { hasText: '200' }).waitFor();
  await screenshot(page, 'dashboard-event');

  // From the event to its payment, and back to the payment's events.
  await page.getByTestId('event-details').getByRole('link', { name: paid.id }).click();
  await page.getByRole('heading', { name: `Payment ${paid.id}` }).waitFor();
  await page.getByRole('link', { name: /Its webhook events/ }).click();
  await page.waitForURL(new RegExp(`object_id=${paid.id}`));
  await successRow.waitFor();
  assert.equal(await failureRow.count(), 0);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the Events list shows new events live, within its filter, and leaving it ends the stream', async () => {
  const page = await streamingPage();
  await signIn(page);
  await page.goto(`${GATEWAY}/dashboard#/events`);
  await live(page);
  const payment = await paidOrder(43000);
  const event = await eventOf(payment.id, 'payment.success');
  // No reload: the stream brings it.
  const row = page.locator('[data-testid=events-list] tr', { hasText: event.id });
  await row.waitFor({ timeout: 10000 });
  await row.getByText('new', { exact: true }).waitFor();
  assert.equal(await page.getByRole('link', { name: event.id }).count(), 1);

  // Filtered to failures: a success made first never shows, the failure does.
  await page.getByLabel('Type').selectOption('payment.failed');
  await page.waitForFunction(() => window.streams.some((s) => s.url.includes('types=payment.failed')));
  await live(page);
  const ok = await paidOrder(44000);
  const bad = await paidOrder(45000, 'failure@upi');
  const okEvent = await eventOf(ok.id, 'payment.success');
  const badEvent = await eventOf(bad.id, 'payment.failed');
  await page.getByRole('link', { name: badEvent.id }).waitFor({ timeout: 10000 });
  assert.equal(await page.getByRole('link', { name: okEvent.id }).count(), 0);
  await screenshot(page, 'dashboard-events-live');

  // Leaving the page aborts every stream it opened.
  await page.getByRole('link', { name: 'Overview' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  const streams = await page.evaluate(() => window.streams.map((s) => [s.url, s.signal?.aborted]));
  assert.ok(streams.length >= 2, JSON.stringify(streams));
  assert.ok(streams.some(([url]) => url.includes('types=payment.failed')), JSON.stringify(streams));
  assert.ok(streams.every(([, aborted]) => aborted === true), JSON.stringify(streams));
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the events stream resumes from Last-Event-ID after a drop: no event lost, none twice', async () => {
  const page = await newPage(browser.context);
  await signIn(page);
  // In the page, sse.js follows the stream through a fetch that cuts the
  // first connection right after its first event and holds the reconnection
  // until the test lets it go.
  await page.evaluate(async () => {
    const { follow } = await import('/static/dashboard/sse.js');
    window.got = [];
    window.opens = [];
    window.sentIds = [];
    let release;
    const released = new Promise((r) => { release = r; });
    window.release = release;
    window.cut = false;
    const stop = new AbortController();
    window.stopFollowing = () => stop.abort();
    const cutting = async (url, init) => {
      window.sentIds.push(init.headers['Last-Event-ID'] ?? null);
      if (window.sentIds.length > 1) {
        await released;
        return fetch(url, init);
      }
      const res = await fetch(url, init);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let seen = '';
      const body = new ReadableStream({
        async pull(controller) {
          const { value, done } = await reader.read();
          if (done) { controller.close(); return; }
          const from = seen.length;
          seen += value;
          const data = seen.indexOf('\ndata:');
          const end = data < 0 ? -1 : seen.indexOf('\n\n', data);
          if (end < 0) { controller.enqueue(new TextEncoder().encode(value)); return; }
          controller.enqueue(new TextEncoder().encode(seen.slice(from, end + 2)));
          window.cut = true;
          reader.cancel();
          controller.error(new TypeError('connection cut by the test'));
        },
      });
      return new Response(body, { status: res.status, headers: res.headers });
    };
    follow('/events/stream', {
      signal: stop.signal,
      resumable: true,
      fetchImpl: cutting,
      onOpen: ({ resumed }) => window.opens.push(resumed),
      onMessage: (m) => window.got.push({ seq: m.id, id: JSON.parse(m.data).id }),
    });
  });
  await eventually(() => page.evaluate(() => window.opens.length === 1), { what: 'the stream to open' });

  const first = await paidOrder(46000);
  const firstEvent = await eventOf(first.id, 'payment.success');
  await eventually(() => page.evaluate(() => window.cut), { what: 'the first event, then the cut' });
  // Made while the client is away.
  const missed = [];
  for (const vpa of ['success@upi', 'failure@upi']) {
    const p = await paidOrder(47000, vpa);
    missed.push(await eventOf(p.id, vpa === 'success@upi' ? 'payment.success' : 'payment.failed'));
  }
  await page.evaluate(() => window.release());
  const got = await eventually(async () => {
    const g = await page.evaluate(() => window.got);
    return missed.every((e) => g.some((x) => x.id === e.id)) && g;
  }, { what: 'the events made while away' });
  const [opens, sentIds] = await page.evaluate(() => [window.opens, window.sentIds]);
  await page.evaluate(() => window.stopFollowing());

  assert.equal(got[0].id, firstEvent.id);
  assert.deepEqual(opens, [false, true]);
  assert.deepEqual(sentIds, [null, got[0].seq]);
  const ids = got.map((x) => x.id);
  assert.equal(new Set(ids).size, ids.length, `an event came twice: ${ids}`);
  const seqs = got.map((x) => Number(x.seq));
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
  assert.deepEqual(seqs, seqs.map((_, i) => seqs[0] + i), `a gap: ${seqs}`);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the live request log shows requests made by another client as they finish', async () => {
  const page = await streamingPage();
  await signIn(page);
  await page.getByRole('link', { name: 'Request log' }).click();
  await page.getByRole('heading', { name: 'Request log' }).waitFor();
  await live(page);

  // Another client: node's fetch, with this merchant's key.
  const missing = `order_missing${Date.now()}`;
  const key = `browser-log-${Date.now()}`;
  assert.equal((await api('GET', `/orders/${missing}`)).status, 404);
  const made = await api('POST', '/orders', { amount: 48000, currency: 'INR', receipt: 'log-test' },
    { headers: { 'Idempotency-Key': key } });
  assert.equal(made.status, 201);

  const log = page.getByTestId('request-log');
  const notFound = log.locator('tr', { hasText: `/api/v1/orders/${missing}` });
  await notFound.waitFor({ timeout: 10000 });
  assert.equal(await notFound.locator('td[data-label=Method]').textContent(), 'GET');
  assert.equal(await notFound.locator('td[data-label=Status]').textContent(), '404');
  assert.match(await notFound.locator('td[data-label=Duration]').textContent(), /^\d+(\.\d)? ms$/);
  const created = log.locator('tr', { hasText: key });
  await created.waitFor({ timeout: 10000 });
  assert.equal(await created.locator('td[data-label=Status]').textContent(), '201');
  assert.equal(await created.locator('td[data-label=Path]').textContent(), '/api/v1/orders');
  // Never a body or a secret.
  const text = await page.locator('body').textContent();
  assert.doesNotMatch(text, new RegExp(SECRET));
  assert.doesNotMatch(text, /log-test/);

  // The filters act on what came, without losing it.
  await page.getByLabel('Status').selectOption('4xx');
  await created.waitFor({ state: 'detached' });
  assert.equal(await notFound.count(), 1);
  await page.getByLabel('Status').selectOption('');
  await page.getByLabel('Path starts with').fill('/api/v1/orders/order_missing');
  await created.waitFor({ state: 'detached' });
  await page.getByLabel('Path starts with').fill('');
  await created.waitFor();
  await screenshot(page, 'dashboard-request-log');

  // Paused, a request waits; resumed, it shows.
  await page.getByRole('button', { name: 'Pause' }).click();
  const later = `order_later${Date.now()}`;
  await api('GET', `/orders/${later}`);
  await page.getByTestId('log-summary').getByText(/paused, [1-9]\d* waiting/).waitFor({ timeout: 10000 });
  assert.equal(await log.locator('tr', { hasText: later }).count(), 0);
  await page.getByRole('button', { name: 'Resume' }).click();
  await log.locator('tr', { hasText: later }).waitFor();
  // Newest on top. (Requests made one after another may finish in either
  // order, as the server logs them once answered: this one came after the
  // others showed.)
  assert.match(await log.locator('tbody tr').first().textContent(), new RegExp(later));

  await page.getByRole('link', { name: 'Orders', exact: true }).click();
  await page.getByRole('heading', { name: 'Orders' }).waitFor();
  const streams = await page.evaluate(() => window.streams.map((s) => [s.url, s.signal?.aborted]));
  assert.ok(streams.length >= 1, JSON.stringify(streams));
  assert.ok(streams.every(([url, aborted]) => url === '/api/v1/requests/stream' && aborted), JSON.stringify(streams));
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('on a 375 px phone the events and request log pages do not scroll sideways', async () => {
  const payment = await paidOrder(49000);
  const event = await eventOf(payment.id, 'payment.success');
  const page = await newPage(browser.context, { width: 375, height: 800 });
  await signIn(page);
  const pages = [
    ['events', '[data-testid=events-list] table'],
    [`events/${event.id}`, '[data-testid=deliveries] table'],
    ['requests', '[data-testid=live-state][data-state=live]'],
  ];
  for (const [route, ready] of pages) {
    await page.goto(`${GATEWAY}/dashboard#/${route}`);
    await page.locator(ready).waitFor();
    const overflow = await page.evaluate(() =>
      document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, `${route} scrolls sideways by ${overflow}px`);
    await screenshot(page, `dashboard-phone-${route.includes('/') ? 'event' : route}`);
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});
