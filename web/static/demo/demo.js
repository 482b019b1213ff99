// The demo merchant page: an order from /orders/public, then the checkout.js
// modal. Real merchants create the order on their server with their secret;
// the public endpoint is for pages like this one.
import { formatMoney } from '/static/shared/format.js';

const KEY = 'key_test_abc123';
const buy = document.getElementById('buy');
const amount = document.getElementById('amount');
const result = document.getElementById('result');
const price = document.getElementById('price');

amount.addEventListener('input', () => {
  const n = Number(amount.value);
  price.textContent = Number.isInteger(n) && n > 0 ? formatMoney(n, 'INR') : '—';
});

buy.addEventListener('click', async () => {
  buy.disabled = true;
  result.textContent = 'Creating the order…';
  try {
    const res = await fetch('/api/v1/orders/public', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Api-Key': KEY },
      body: JSON.stringify({ amount: Number(amount.value), currency: 'INR', receipt: 'demo' }),
    });
    const order = await res.json();
    if (!res.ok) {
      result.textContent = `Could not create the order: ${order.error?.description ?? res.status}`;
      return;
    }
    result.textContent = `Order ${order.id} created; paying…`;
    result.dataset.orderId = order.id;
    const checkout = new window.PayGate({
      key: KEY,
      order_id: order.id,
      onSuccess: (r) => {
        result.dataset.state = 'success';
        result.dataset.paymentId = r.payment_id;
        result.textContent = `Paid: ${r.payment_id}`;
      },
      onFailure: (r) => {
        result.dataset.state = 'failure';
        result.textContent = `Payment failed: ${r.error?.description ?? 'unknown reason'}`;
      },
      onClose: () => {
        result.dataset.closed = 'true';
        if (result.dataset.state !== 'success') result.textContent += ' (checkout closed)';
      },
    });
    checkout.open();
  } catch (e) {
    result.textContent = `Could not reach the gateway: ${e.message}`;
  } finally {
    buy.disabled = false;
  }
});
