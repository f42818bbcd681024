// Bytes stored: one stacked bar (managed, unmanaged, spilled to disk) against the memory limit,
// and a small history plot underneath.

import { fetchMemory, type MemoryResponse, type Summary } from './api';
import { formatBytes, formatTick, niceStep } from './format';
import { FetchGate, type Panel, availableWidth, el, section, sizeCanvas } from './ui';

const KINDS = ['managed', 'unmanaged', 'spilled'] as const;
type Kind = (typeof KINDS)[number];

const HISTORY_H = 110;
const AXIS_W = 64;

export class MemoryPanel implements Panel {
  readonly element: HTMLElement;
  private readonly root: HTMLElement;
  private readonly segments: Record<Kind, HTMLElement>;
  private readonly limitLine: HTMLElement;
  private readonly legend: HTMLElement;
  private readonly history: HTMLCanvasElement;
  private readonly gate = new FetchGate();
  private data: MemoryResponse | null = null;
  private limitFromSummary = 0;
  private maxSpilled = 0;
  private dirty = false;

  constructor(private readonly onChange: () => void) {
    const track = el('div', { class: 'memory-track' });
    this.segments = {} as Record<Kind, HTMLElement>;
    for (const kind of KINDS) {
      const seg = el('div', { class: `mem-seg mem-${kind}`, 'data-kind': kind, 'data-bytes': '0' });
      this.segments[kind] = seg;
      track.append(seg);
    }
    this.limitLine = el('div', { class: 'mem-limit' });
    track.append(this.limitLine);
    this.legend = el('div', { class: 'memory-legend' });
    this.history = el('canvas', { id: 'memory-history', class: 'plot' });
    this.root = el(
      'div',
      { id: 'memory', 'data-spilled-bytes': '0', 'data-max-spilled-bytes': '0' },
      track,
      this.legend,
      el('div', { class: 'canvas-box' }, this.history),
    );
    this.element = section('Bytes stored', this.root);
  }

  invalidate(): void {
    this.dirty = true;
    this.onChange();
  }

  refresh(summary: Summary): Promise<void> {
    this.limitFromSummary = summary.memory_limit;
    return this.gate.run(async () => {
      this.data = await fetchMemory();
      this.invalidate();
    });
  }

  draw(): void {
    if (!this.dirty || !this.data) return;
    this.dirty = false;
    const m = this.data;
    const limit = m.limit || this.limitFromSummary || 0;
    const total = m.managed + m.unmanaged + m.spilled;
    const scale = Math.max(limit, total, 1) * 1.08;

    const values: Record<Kind, number> = { managed: m.managed, unmanaged: m.unmanaged, spilled: m.spilled };
    for (const kind of KINDS) {
      const seg = this.segments[kind];
      const bytes = Math.max(0, values[kind]);
      seg.style.width = `${(100 * bytes) / scale}%`;
      seg.dataset.bytes = String(Math.round(bytes));
      seg.title = `${kind}: ${formatBytes(bytes)} (${Math.round(bytes)} bytes)`;
    }
    // Warning colours as managed memory nears the limit. The limit bounds results held (spilling
    // starts there), not the process, so unmanaged memory does not count against it.
    const level = limit > 0 && m.managed > limit ? 'over' : limit > 0 && m.managed > 0.8 * limit ? 'high' : 'ok';
    this.root.dataset.level = level;
    this.limitLine.hidden = limit <= 0;
    this.limitLine.style.left = `${(100 * limit) / scale}%`;
    this.limitLine.title = `limit: ${formatBytes(limit)}`;

    this.root.dataset.spilledBytes = String(Math.round(Math.max(0, m.spilled)));
    // The peak, so a look after the run still tells whether it spilled.
    for (const s of m.history) this.maxSpilled = Math.max(this.maxSpilled, s.spilled);
    this.maxSpilled = Math.max(this.maxSpilled, m.spilled, m.max_spilled ?? 0);
    this.root.dataset.maxSpilledBytes = String(Math.round(this.maxSpilled));

    const item = (cls: string, label: string, bytes: number): HTMLElement =>
      el('span', { class: `legend-item ${cls}` }, el('i'), `${label} ${formatBytes(bytes)}`);
    this.legend.replaceChildren(
      item('key-managed', 'managed', m.managed),
      item('key-unmanaged', 'unmanaged', m.unmanaged),
      item('key-spilled', 'spilled to disk', m.spilled),
      item('key-rss', 'process RSS', m.rss),
      item('key-limit', 'limit', limit),
    );
    this.drawHistory(limit);
  }

  private drawHistory(limit: number): void {
    const samples = this.data?.history ?? [];
    const cssW = availableWidth(this.history);
    const ctx = sizeCanvas(this.history, cssW, HISTORY_H);
    const plotW = cssW - AXIS_W - 8;
    const TOP_PAD = 8;
    const plotH = HISTORY_H - 20 - TOP_PAD;
    ctx.font = '10px system-ui, sans-serif';
    if (samples.length < 2) {
      ctx.fillStyle = '#888';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('memory history appears as the run goes on', AXIS_W + plotW / 2, plotH / 2);
      return;
    }
    const t0 = samples[0].t;
    const t1 = Math.max(samples[samples.length - 1].t, t0 + 1e-3);
    let top = limit;
    for (const s of samples) top = Math.max(top, s.rss, s.managed, s.spilled);
    top = Math.max(1, top * 1.05);
    const x = (t: number): number => AXIS_W + ((t - t0) / (t1 - t0)) * plotW;
    const y = (v: number): number => TOP_PAD + plotH - (v / top) * plotH;

    ctx.strokeStyle = '#e2e5ea';
    ctx.fillStyle = '#666';
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const f of [0, 0.5, 1]) {
      const yy = Math.round(y(top * f)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(AXIS_W, yy);
      ctx.lineTo(AXIS_W + plotW, yy);
      ctx.stroke();
      ctx.fillText(formatBytes(top * f), AXIS_W - 4, yy);
    }
    const step = niceStep(t1 - t0, plotW / 90);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (let k = Math.ceil(t0 / step); k * step <= t1; k++) ctx.fillText(formatTick(k * step, step), x(k * step), TOP_PAD + plotH + 4);

    if (limit > 0) {
      ctx.strokeStyle = '#c0392b';
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      ctx.moveTo(AXIS_W, y(limit));
      ctx.lineTo(AXIS_W + plotW, y(limit));
      ctx.stroke();
      ctx.setLineDash([]);
    }
    const series: [keyof (typeof samples)[number], string][] = [
      ['rss', '#9aa5b1'],
      ['spilled', '#7f7f7f'],
      ['managed', '#3b73c4'],
    ];
    ctx.lineWidth = 1.5;
    for (const [field, color] of series) {
      ctx.strokeStyle = color;
      ctx.beginPath();
      samples.forEach((s, i) => {
        const px = x(s.t);
        const py = y(s[field]);
        if (i === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      });
      ctx.stroke();
    }
  }
}
