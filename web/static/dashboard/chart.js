// A bar chart in SVG, drawn with DOM calls (no library, nothing inline for
// the CSP to refuse).
const NS = 'http://www.w3.org/2000/svg';

function el(tag, attrs, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

// bars: [{label, value, title}]
export function barChart(bars, { height = 180, label = 'Chart' } = {}) {
  const width = 720;
  const pad = { top: 10, right: 10, bottom: 28, left: 36 };
  const max = Math.max(1, ...bars.map((b) => b.value));
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const step = innerW / Math.max(1, bars.length);
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label,
    class: 'chart' });
  svg.append(el('title', {}, label));
  for (const t of [0, 0.5, 1]) {
    const y = pad.top + innerH * (1 - t);
    svg.append(el('line', { x1: pad.left, x2: width - pad.right, y1: y, y2: y, class: 'grid' }));
    svg.append(el('text', { x: pad.left - 6, y: y + 4, 'text-anchor': 'end', class: 'axis' },
      String(Math.round(max * t))));
  }
  bars.forEach((b, i) => {
    const hgt = (b.value / max) * innerH;
    const x = pad.left + i * step + step * 0.15;
    const rect = el('rect', { x, y: pad.top + innerH - hgt, width: step * 0.7, height: Math.max(0, hgt),
      class: 'bar', 'data-value': b.value });
    rect.append(el('title', {}, b.title ?? `${b.label}: ${b.value}`));
    svg.append(rect);
    if (i % Math.ceil(bars.length / 8) === 0) {
      svg.append(el('text', { x: x + step * 0.35, y: height - 8, 'text-anchor': 'middle', class: 'axis' },
        b.label));
    }
  });
  return svg;
}
