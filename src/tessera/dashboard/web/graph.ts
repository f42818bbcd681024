// Task graph: nodes in layers by longest path from the roots (left to right), coloured by state.
// The layout is recomputed only when the graph's shape changes; a state change only repaints.
// Wheel zooms, drag pans, double-click resets.

import { fetchGraph, type GraphResponse, type Summary } from './api';
import { STATE_COLORS } from './colors';
import { formatInt } from './format';
import { FetchGate, type Panel, availableWidth, el, localPoint, section, sizeCanvas, tooltip } from './ui';

declare global {
  interface Window {
    __graphNodes?: number;
  }
}

const STATES = ['waiting', 'processing', 'memory', 'released', 'erred'] as const;
const MARGIN = 16;

interface Layout {
  signature: string;
  layer: Int32Array;
  rank: Int32Array;
  layerSize: Int32Array;
  members: Int32Array[]; // node indices of each layer, in drawing order
  edgeSrc: Int32Array;
  edgeDst: Int32Array;
  maxLayerSize: number;
}

function signatureOf(g: GraphResponse): string {
  const n = g.nodes.length;
  return `${g.grouped}|${n}|${g.edges.length}|${n ? g.nodes[0].id : ''}|${n ? g.nodes[n - 1].id : ''}`;
}

/** Layers by longest path from the roots, then one barycentre pass to untangle edges. */
export function layoutGraph(g: GraphResponse): Layout {
  const n = g.nodes.length;
  const index = new Map<string, number>();
  g.nodes.forEach((node, i) => index.set(node.id, i));
  const src: number[] = [];
  const dst: number[] = [];
  for (const [a, b] of g.edges) {
    const s = index.get(a);
    const d = index.get(b);
    if (s === undefined || d === undefined || s === d) continue;
    src.push(s);
    dst.push(d);
  }
  const m = src.length;
  // CSR adjacency for successors and predecessors.
  const outStart = new Int32Array(n + 1);
  const inStart = new Int32Array(n + 1);
  for (let e = 0; e < m; e++) {
    outStart[src[e] + 1]++;
    inStart[dst[e] + 1]++;
  }
  for (let i = 0; i < n; i++) {
    outStart[i + 1] += outStart[i];
    inStart[i + 1] += inStart[i];
  }
  const outAdj = new Int32Array(m);
  const inAdj = new Int32Array(m);
  const outFill = outStart.slice(0, n);
  const inFill = inStart.slice(0, n);
  for (let e = 0; e < m; e++) {
    outAdj[outFill[src[e]]++] = dst[e];
    inAdj[inFill[dst[e]]++] = src[e];
  }

  // Kahn's algorithm; nodes left on a cycle (should not happen) stay in layer 0.
  const indeg = new Int32Array(n);
  for (let i = 0; i < n; i++) indeg[i] = inStart[i + 1] - inStart[i];
  const layer = new Int32Array(n);
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  for (let i = 0; i < n; i++) if (indeg[i] === 0) queue[tail++] = i;
  while (head < tail) {
    const v = queue[head++];
    for (let k = outStart[v]; k < outStart[v + 1]; k++) {
      const w = outAdj[k];
      if (layer[v] + 1 > layer[w]) layer[w] = layer[v] + 1;
      if (--indeg[w] === 0) queue[tail++] = w;
    }
  }

  let layers = 0;
  for (let i = 0; i < n; i++) layers = Math.max(layers, layer[i] + 1);
  const buckets: number[][] = Array.from({ length: layers }, () => []);
  for (let i = 0; i < n; i++) buckets[layer[i]].push(i);

  // Order each layer by the mean relative position of its predecessors.
  const rank = new Int32Array(n);
  const layerSize = new Int32Array(layers);
  const members: Int32Array[] = [];
  const key = new Float64Array(n);
  for (let l = 0; l < layers; l++) {
    const b = buckets[l];
    if (l > 0) {
      b.forEach((v, order) => {
        let sum = 0;
        let cnt = 0;
        for (let k = inStart[v]; k < inStart[v + 1]; k++) {
          const u = inAdj[k];
          sum += (rank[u] + 0.5) / layerSize[layer[u]];
          cnt++;
        }
        key[v] = cnt ? sum / cnt : order / b.length;
      });
      b.sort((u, v) => key[u] - key[v] || u - v);
    }
    b.forEach((v, r) => (rank[v] = r));
    layerSize[l] = b.length;
    members.push(Int32Array.from(b));
  }
  let maxLayerSize = 1;
  for (let l = 0; l < layers; l++) maxLayerSize = Math.max(maxLayerSize, layerSize[l]);
  return {
    signature: signatureOf(g),
    layer,
    rank,
    layerSize,
    members,
    edgeSrc: Int32Array.from(src),
    edgeDst: Int32Array.from(dst),
    maxLayerSize,
  };
}

interface View {
  k: number; // zoom
  tx: number;
  ty: number;
}

export class GraphPanel implements Panel {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly info: HTMLElement;
  private readonly gate = new FetchGate(200);
  private data: GraphResponse | null = null;
  private layout: Layout | null = null;
  private view: View = { k: 1, tx: 0, ty: 0 };
  private geometry = { colW: 1, plotH: 1, cssH: 1, cssW: 1 };
  private drag: { x: number; y: number; tx: number; ty: number } | null = null;
  private dirty = false;

  constructor(private readonly onChange: () => void) {
    this.canvas = el('canvas', { id: 'task-graph', class: 'plot' });
    this.info = el('span', { class: 'hint' });
    const legend = el(
      'div',
      { class: 'legend' },
      ...STATES.map((s) => {
        const swatch = el('i');
        swatch.style.background = STATE_COLORS[s];
        return el('span', { class: 'legend-item' }, swatch, s);
      }),
    );
    this.element = section('Task Graph', el('div', { class: 'controls' }, legend, this.info), el('div', { class: 'canvas-box' }, this.canvas));
    this.attachMouse();
  }

  invalidate(): void {
    this.dirty = true;
    this.onChange();
  }

  refresh(_summary: Summary): Promise<void> {
    return this.gate.run(async () => {
      const g = await fetchGraph();
      this.data = g;
      if (!this.layout || this.layout.signature !== signatureOf(g)) this.layout = layoutGraph(g);
      // A big graph is a big answer; poll it less often.
      this.gate.minIntervalMs = g.nodes.length > 2000 ? 1000 : 200;
      this.invalidate();
    });
  }

  /** Node centre in unzoomed canvas coordinates. */
  private basePos(i: number): [number, number] {
    const L = this.layout!;
    const { colW, plotH } = this.geometry;
    const l = L.layer[i];
    return [MARGIN + (l + 0.5) * colW, MARGIN + ((L.rank[i] + 0.5) * plotH) / L.layerSize[l]];
  }

  private baseRadius(i: number): number {
    const L = this.layout!;
    const g = this.data!;
    const spacing = Math.min(this.geometry.colW, this.geometry.plotH / L.maxLayerSize);
    if (!g.grouped) return Math.max(0.8, Math.min(10, spacing * 0.35));
    let maxCount = 1;
    for (const node of g.nodes) maxCount = Math.max(maxCount, node.count);
    const rMax = Math.max(6, Math.min(34, spacing * 0.42));
    return Math.max(4, rMax * Math.sqrt(Math.max(1, g.nodes[i].count) / maxCount));
  }

  draw(): void {
    if (!this.dirty || !this.data || !this.layout) return;
    this.dirty = false;
    const g = this.data;
    const L = this.layout;
    const n = g.nodes.length;
    const cssW = availableWidth(this.canvas);
    const perRow = g.grouped ? 70 : 14;
    const cssH = Math.max(260, Math.min(680, L.maxLayerSize * perRow + 2 * MARGIN));
    const ctx = sizeCanvas(this.canvas, cssW, cssH);
    const layers = Math.max(1, L.members.length);
    this.geometry = { colW: (cssW - 2 * MARGIN) / layers, plotH: cssH - 2 * MARGIN, cssH, cssW };
    const { k, tx, ty } = this.view;
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, cssW, cssH);
    if (n === 0) {
      ctx.fillStyle = '#888';
      ctx.textAlign = 'center';
      ctx.font = '12px system-ui, sans-serif';
      ctx.fillText('no graph yet', cssW / 2, cssH / 2);
      window.__graphNodes = 0;
      this.info.textContent = '';
      return;
    }
    const pos = new Float32Array(2 * n);
    const rad = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const [x, y] = this.basePos(i);
      pos[2 * i] = x * k + tx;
      pos[2 * i + 1] = y * k + ty;
      rad[i] = this.baseRadius(i) * Math.min(k, 4);
    }

    // Edges: one path, from the right of the source to the left of the target.
    ctx.strokeStyle = g.grouped ? 'rgba(90, 100, 115, 0.55)' : 'rgba(90, 100, 115, 0.3)';
    ctx.lineWidth = g.grouped ? 1.5 : 1;
    ctx.beginPath();
    for (let e = 0; e < L.edgeSrc.length; e++) {
      const s = L.edgeSrc[e];
      const d = L.edgeDst[e];
      ctx.moveTo(pos[2 * s] + rad[s], pos[2 * s + 1]);
      ctx.lineTo(pos[2 * d] - rad[d], pos[2 * d + 1]);
    }
    ctx.stroke();

    // Nodes, one pass per state colour.
    const useRects = n > 3000;
    let drawn = 0;
    for (const state of STATES) {
      ctx.fillStyle = STATE_COLORS[state];
      ctx.beginPath();
      for (let i = 0; i < n; i++) {
        if ((g.nodes[i].state ?? 'waiting') !== state) continue;
        const x = pos[2 * i];
        const y = pos[2 * i + 1];
        const r = rad[i];
        if (x + r < 0 || x - r > cssW || y + r < 0 || y - r > cssH) continue;
        drawn++;
        if (useRects) ctx.rect(x - r, y - r, 2 * r, 2 * r);
        else {
          ctx.moveTo(x + r, y);
          ctx.arc(x, y, r, 0, 2 * Math.PI);
        }
      }
      ctx.fill();
    }
    window.__graphNodes = drawn;

    // Labels where they fit: grouped nodes always, single tasks once their layer leaves room.
    ctx.font = g.grouped ? '12px system-ui, sans-serif' : '10px system-ui, sans-serif';
    ctx.fillStyle = '#222';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const colW = this.geometry.colW * k;
    for (let i = 0; i < n; i++) {
      const gap = (this.geometry.plotH * k) / L.layerSize[L.layer[i]];
      if (!g.grouped && (gap < 2 * rad[i] + 14 || colW < 70)) continue;
      const node = g.nodes[i];
      const text = g.grouped ? `${node.label || node.prefix} (${formatInt(node.count)})` : node.label;
      ctx.fillText(text, pos[2 * i], pos[2 * i + 1] + rad[i] + 2, colW - 4);
    }
    const total = g.grouped ? g.nodes.reduce((a, node) => a + node.count, 0) : n;
    this.info.textContent = g.grouped
      ? `${formatInt(total)} tasks grouped into ${n} prefixes · wheel zooms, drag pans, double-click resets`
      : `${formatInt(n)} tasks, ${formatInt(L.edgeSrc.length)} dependencies · wheel zooms, drag pans, double-click resets`;
  }

  private nodeAt(x: number, y: number): number {
    const L = this.layout;
    const g = this.data;
    if (!L || !g || g.nodes.length === 0) return -1;
    const { k, tx, ty } = this.view;
    const bx = (x - tx) / k;
    const by = (y - ty) / k;
    const l = Math.floor((bx - MARGIN) / this.geometry.colW);
    if (l < 0 || l >= L.members.length) return -1;
    const size = L.layerSize[l];
    const gap = this.geometry.plotH / size;
    const r = Math.floor((by - MARGIN) / gap);
    if (r < 0 || r >= size) return -1;
    const i = L.members[l][r];
    const [cx, cy] = this.basePos(i);
    const reach = Math.max(this.baseRadius(i), 3 / k);
    return Math.hypot(bx - cx, by - cy) <= reach ? i : -1;
  }

  private attachMouse(): void {
    const canvas = this.canvas;
    canvas.addEventListener('mousemove', (event) => {
      const p = localPoint(canvas, event);
      if (this.drag) {
        this.view = { ...this.view, tx: this.drag.tx + p.x - this.drag.x, ty: this.drag.ty + p.y - this.drag.y };
        tooltip.hide();
        this.invalidate();
        return;
      }
      const i = this.nodeAt(p.x, p.y);
      if (i < 0 || !this.data) {
        tooltip.hide();
        return;
      }
      const node = this.data.nodes[i];
      const rows: [string, string][] = [
        ['prefix', node.prefix],
        ['state', node.state],
      ];
      if (this.data.grouped) rows.push(['tasks', formatInt(node.count)]);
      tooltip.show(this.data.grouped ? node.label || node.prefix : node.id, rows, event.clientX, event.clientY);
    });
    canvas.addEventListener('mouseleave', () => tooltip.hide());
    canvas.addEventListener('mousedown', (event) => {
      if (event.button !== 0) return;
      const p = localPoint(canvas, event);
      this.drag = { x: p.x, y: p.y, tx: this.view.tx, ty: this.view.ty };
      event.preventDefault();
    });
    window.addEventListener('mouseup', () => {
      this.drag = null;
    });
    canvas.addEventListener(
      'wheel',
      (event) => {
        event.preventDefault();
        const p = localPoint(canvas, event);
        const f = Math.exp(Math.max(-1, Math.min(1, -event.deltaY * 0.0015)));
        const k = Math.max(0.2, Math.min(200, this.view.k * f));
        const real = k / this.view.k;
        // Keep the point under the cursor fixed.
        this.view = { k, tx: p.x - (p.x - this.view.tx) * real, ty: p.y - (p.y - this.view.ty) * real };
        this.invalidate();
      },
      { passive: false },
    );
    canvas.addEventListener('dblclick', () => {
      this.view = { k: 1, tx: 0, ty: 0 };
      this.invalidate();
    });
  }
}
