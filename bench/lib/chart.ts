import type { LatencyPoint } from './types.js';

const W = 640;
const H = 380;
const M = { left: 60, right: 170, top: 40, bottom: 50 };
const COLORS = { p50: '#1f77b4', p90: '#ff7f0e', p99: '#d62728' } as const;

/**
 * Delivery-latency percentiles (commit → receipt over every event and socket) against the number of sockets:
 * ours solid, raw Socket.IO dashed. Hand-written SVG, no chart library.
 */
export function latencyChart(points: LatencyPoint[], title: string): string {
  const sizes = [...new Set(points.map((p) => p.sockets))].sort((a, b) => a - b);
  const max = Math.max(1, ...points.flatMap((p) => [p.p50, p.p90, p.p99]).filter(Number.isFinite));
  const top = niceCeil(max);
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const x = (sockets: number) => M.left + (sizes.length === 1 ? plotW / 2 : (sizes.indexOf(sockets) / (sizes.length - 1)) * plotW);
  const y = (ms: number) => M.top + plotH - (ms / top) * plotH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${M.left}" y="22" font-size="14" font-weight="bold">${escape(title)}</text>`,
  ];
  for (let i = 0; i <= 5; i++) {
    const ms = (top / 5) * i;
    out.push(`<line x1="${M.left}" x2="${M.left + plotW}" y1="${y(ms)}" y2="${y(ms)}" stroke="#ddd"/>`);
    out.push(`<text x="${M.left - 8}" y="${y(ms) + 4}" text-anchor="end">${fmt(ms)}</text>`);
  }
  for (const s of sizes) out.push(`<text x="${x(s)}" y="${M.top + plotH + 18}" text-anchor="middle">${s.toLocaleString('en')}</text>`);
  out.push(`<text x="${M.left + plotW / 2}" y="${H - 10}" text-anchor="middle">connected sockets</text>`);
  out.push(`<text transform="translate(16 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">commit → receipt (ms)</text>`);
  out.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + plotH}" stroke="#333"/>`);
  out.push(`<line x1="${M.left}" x2="${M.left + plotW}" y1="${M.top + plotH}" y2="${M.top + plotH}" stroke="#333"/>`);
  let legendY = M.top + 10;
  for (const server of ['ours', 'raw'] as const) {
    for (const p of ['p50', 'p90', 'p99'] as const) {
      const series = points.filter((pt) => pt.server === server).sort((a, b) => a.sockets - b.sockets);
      if (!series.length) continue;
      const dash = server === 'raw' ? ' stroke-dasharray="6 4"' : '';
      const path = series.map((pt, i) => `${i ? 'L' : 'M'}${x(pt.sockets).toFixed(1)} ${y(pt[p]).toFixed(1)}`).join(' ');
      out.push(`<path d="${path}" fill="none" stroke="${COLORS[p]}" stroke-width="2"${dash}/>`);
      for (const pt of series) {
        const shape = server === 'raw' ? `<rect x="${x(pt.sockets) - 4}" y="${y(pt[p]) - 4}" width="8" height="8"` : `<circle cx="${x(pt.sockets)}" cy="${y(pt[p])}" r="4"`;
        out.push(`${shape} fill="${server === 'raw' ? 'white' : COLORS[p]}" stroke="${COLORS[p]}" stroke-width="2"><title>${server} ${p} at ${pt.sockets} sockets: ${fmt(pt[p])} ms</title>${server === 'raw' ? '</rect>' : '</circle>'}`);
      }
      const lx = M.left + plotW + 16;
      out.push(`<line x1="${lx}" x2="${lx + 28}" y1="${legendY}" y2="${legendY}" stroke="${COLORS[p]}" stroke-width="2"${dash}/>`);
      out.push(`<text x="${lx + 36}" y="${legendY + 4}">${server === 'ours' ? 'ours' : 'raw Socket.IO'} ${p}</text>`);
      legendY += 20;
    }
  }
  out.push('</svg>');
  return out.join('\n');
}

function niceCeil(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

const fmt = (ms: number) => (ms >= 10 || ms === 0 ? ms.toFixed(0) : ms.toFixed(1));
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
