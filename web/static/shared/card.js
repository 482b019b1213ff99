// The server's card and VPA rules (docs/API.md, "Validation"), run in the
// browser so that a shopper sees a mistake before paying. The server checks
// again; these only save a round trip.

export const VPA_PATTERN = /^[a-zA-Z0-9._-]+@[a-zA-Z0-9]+$/;

export function digitsOnly(s) {
  return String(s ?? '').replace(/[\s-]/g, '');
}

function prefixIn(n, lo, hi, len) {
  const p = Number(n.slice(0, len));
  return n.length >= len && p >= lo && p <= hi;
}

// visa (4), mastercard (51-55, 2221-2720), amex (34, 37), rupay (60, 65, 81,
// 82, 508), discover (6011, 644-649), diners (36, 38, 300-305), else unknown.
// Discover's 6011/644-649 are checked before rupay's 60/65.
export function cardNetwork(number) {
  const n = digitsOnly(number);
  if (!/^\d+$/.test(n)) return 'unknown';
  if (n.startsWith('4')) return 'visa';
  if (prefixIn(n, 51, 55, 2) || prefixIn(n, 2221, 2720, 4)) return 'mastercard';
  if (n.startsWith('34') || n.startsWith('37')) return 'amex';
  if (n.startsWith('6011') || prefixIn(n, 644, 649, 3)) return 'discover';
  if (n.startsWith('60') || n.startsWith('65') || n.startsWith('81') || n.startsWith('82') ||
      n.startsWith('508')) return 'rupay';
  if (n.startsWith('36') || n.startsWith('38') || prefixIn(n, 300, 305, 3)) return 'diners';
  return 'unknown';
}

export const NETWORK_LABELS = {
  visa: 'Visa', mastercard: 'Mastercard', amex: 'American Express', rupay: 'RuPay',
  discover: 'Discover', diners: 'Diners Club', unknown: '',
};

export function luhnValid(n) {
  let sum = 0;
  let double = false;
  for (let i = n.length - 1; i >= 0; i--) {
    let d = n.charCodeAt(i) - 48;
    if (double) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

// The number in groups as printed on the card: 4-6-5 for amex, else 4s.
export function spaceCardNumber(value) {
  const n = digitsOnly(value).replace(/\D/g, '').slice(0, 19);
  const groups = cardNetwork(n) === 'amex' ? [4, 6, 5] : [4, 4, 4, 4, 3];
  const out = [];
  let i = 0;
  for (const g of groups) {
    if (i >= n.length) break;
    out.push(n.slice(i, i + g));
    i += g;
  }
  return out.join(' ');
}

// Each returns an error message, or '' when the value is fine.
export function checkCardNumber(value) {
  const n = digitsOnly(value);
  if (!n) return 'Enter the card number';
  if (!/^\d{12,19}$/.test(n) || !luhnValid(n)) return 'This card number is not valid';
  return '';
}

// "MM/YY" or "MM/YYYY" -> {month, year} (year with 4 digits), or null.
export function parseExpiry(value) {
  const m = String(value ?? '').trim().match(/^(\d{1,2})\s*\/\s*(\d{2}|\d{4})$/);
  if (!m) return null;
  const year = m[2].length === 2 ? 2000 + Number(m[2]) : Number(m[2]);
  return { month: Number(m[1]), year, monthText: m[1].padStart(2, '0'), yearText: String(year) };
}

// Expired means before the current month, in UTC, as the server decides.
export function checkExpiry(value, now = new Date()) {
  if (!String(value ?? '').trim()) return 'Enter the expiry date';
  const e = parseExpiry(value);
  if (!e || e.month < 1 || e.month > 12) return 'Use MM/YY, e.g. 12/30';
  const cur = now.getUTCFullYear() * 12 + now.getUTCMonth();
  if (e.year * 12 + (e.month - 1) < cur) return 'This card has expired';
  return '';
}

export function checkCvv(value, number) {
  const len = cardNetwork(number) === 'amex' ? 4 : 3;
  if (!value) return 'Enter the CVV';
  if (!new RegExp(`^\\d{${len}}$`).test(value)) return `The CVV is ${len} digits`;
  return '';
}

export function checkVpa(value) {
  const v = String(value ?? '').trim();
  if (!v) return 'Enter your UPI ID';
  if (v.length > 255 || !VPA_PATTERN.test(v)) return 'Use the form name@bank';
  return '';
}
