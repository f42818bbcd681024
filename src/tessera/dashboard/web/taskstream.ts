// Task stream: one row per worker thread (plus "io" for spill / read-back outside a worker), one
// rectangle per task. History can reach millions of entries, so it lives in typed arrays sorted by
// stop time; a frame visits only entries overlapping the visible window and merges rectangles
// narrower than a pixel into one per pixel column and row.

import { fetchTaskStream, type Summary, type TaskEntry } from './api';
import { CANCELLED_COLOR, ERROR_COLOR, READ_BACK_COLOR, SPILL_COLOR, prefixColor } from './colors';
import { formatBytes, formatSeconds, formatTick, niceStep } from './format';
import { FetchGate, type Panel, availableWidth, el, localPoint, section, sizeCanvas, tooltip } from './ui';

const KIND_TASK = 0;
const KIND_SPILL = 1;
const KIND_READ_BACK = 2;
const STATUS_OK = 0;
const STATUS_ERROR = 1;
const STATUS_CANCELLED = 2;
const KIND_NAMES = ['task', 'spill', 'read-back'];
const STATUS_NAMES = ['ok', 'error', 'cancelled'];

// The server merges per-thread buffers in batches (every ~20 ms), so an entry can appear a little
// after its stop time. Each incremental request therefore reaches back this far behind the last
// answer's `now`; duplicates are dropped.
const LATE_MARGIN_S = 0.5;

function kindCode(kind: string): number {
  return kind === 'spill' ? KIND_SPILL : kind === 'read-back' ? KIND_READ_BACK : KIND_TASK;
}

function statusCode(status: string): number {
  return status === 'error' ? STATUS_ERROR : status === 'cancelled' ? STATUS_CANCELLED : STATUS_OK;
}

/** Column-wise task history, kept sorted by stop time. */
export class TaskHistory {
  length = 0;
  start = new Float64Array(1024);
  stop = new Float64Array(1024);
  bytes = new Float64Array(1024);
  worker = new Int32Array(1024);
  prefix = new Uint32Array(1024);
  flags = new Uint8Array(1024); // kind | status << 2
  keys: string[] = [];
  readonly prefixes: string[] = [];
  private readonly prefixIds = new Map<string, number>();
  maxDuration = 0;
  minStart = Infinity;
  maxWorker = -1;
  // Identities of entries the next request may return again (stop within the late margin).
  private recent = new Map<string, number>();

  clear(): void {
    this.length = 0;
    this.keys = [];
    this.maxDuration = 0;
    this.minStart = Infinity;
    this.maxWorker = -1;
    this.recent.clear();
  }

  kind(i: number): number {
    return this.flags[i] & 3;
  }

  status(i: number): number {
    return this.flags[i] >> 2;
  }

  prefixId(name: string): number {
    let id = this.prefixIds.get(name);
    if (id === undefined) {
      id = this.prefixes.length;
      this.prefixes.push(name);
      this.prefixIds.set(name, id);
    }
    return id;
  }

  private reserve(n: number): void {
    if (n <= this.start.length) return;
    let cap = this.start.length;
    while (cap < n) cap *= 2;
    const grow = <T extends Float64Array | Int32Array | Uint32Array | Uint8Array>(a: T, make: (c: number) => T): T => {
      const b = make(cap);
      b.set(a.subarray(0, this.length));
      return b;
    };
    this.start = grow(this.start, (c) => new Float64Array(c));
    this.stop = grow(this.stop, (c) => new Float64Array(c));
    this.bytes = grow(this.bytes, (c) => new Float64Array(c));
    this.worker = grow(this.worker, (c) => new Int32Array(c));
    this.prefix = grow(this.prefix, (c) => new Uint32Array(c));
    this.flags = grow(this.flags, (c) => new Uint8Array(c));
  }

  /** First index whose stop >= t. */
  lowerBound(t: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.stop[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose stop > t. */
  private upperBound(t: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.stop[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Adds new entries, skipping ones already held. `forgetBefore` is the `since` of the next
   * request: entries stopping before it cannot come back, so their identities are dropped.
   */
  add(tasks: TaskEntry[], forgetBefore: number): number {
    const batch = tasks.slice().sort((a, b) => a.stop - b.stop);
    let added = 0;
    for (const t of batch) {
      // Identity strings only where needed: a big first answer has nothing to compare against,
      // and only entries inside the late margin can come again.
      const remember = t.stop > forgetBefore;
      if (this.recent.size > 0 || remember) {
        const id = `${t.kind}|${t.worker}|${t.start}|${t.key}`;
        if (this.recent.has(id)) continue;
        if (remember) this.recent.set(id, t.stop);
      }
      this.insert(t);
      added++;
    }
    for (const [id, stop] of this.recent) if (stop <= forgetBefore) this.recent.delete(id);
    return added;
  }

  private insert(t: TaskEntry): void {
    this.reserve(this.length + 1);
    let i = this.length;
    if (i > 0 && this.stop[i - 1] > t.stop) {
      // Late arrival: open a slot. Only the short tail after it moves.
      i = this.upperBound(t.stop);
      const n = this.length;
      this.start.copyWithin(i + 1, i, n);
      this.stop.copyWithin(i + 1, i, n);
      this.bytes.copyWithin(i + 1, i, n);
      this.worker.copyWithin(i + 1, i, n);
      this.prefix.copyWithin(i + 1, i, n);
      this.flags.copyWithin(i + 1, i, n);
      this.keys.splice(i, 0, t.key);
    } else {
      this.keys.push(t.key);
    }
    const start = Math.min(t.start, t.stop);
    this.start[i] = start;
    this.stop[i] = t.stop;
    this.bytes[i] = t.bytes || 0;
    this.worker[i] = t.worker;
    this.prefix[i] = this.prefixId(t.prefix);
    this.flags[i] = kindCode(t.kind) | (statusCode(t.status) << 2);
    this.length++;
    this.maxDuration = Math.max(this.maxDuration, t.stop - start);
    this.minStart = Math.min(this.minStart, start);
    this.maxWorker = Math.max(this.maxWorker, t.worker);
  }
}

export interface StreamBox {
  x: number;
  y: number;
  w: number;
  h: number;
  key: string;
}

declare global {
  interface Window {
    __taskStreamRects?: number;
    __taskStreamBoxes?: StreamBox[];
  }
}

interface Layout {
  t0: number;
  t1: number;
  scale: number; // CSS px per second
  rowH: number;
  rows: number;
  ioRow: number;
}

const LABEL_W = 64;
const RIGHT_PAD = 12;
const TOP = 4;
const AXIS_H = 22;
const BOX_PAD = 2;
// Buckets group rectangles by colour so a frame switches fillStyle once per colour.
const BUCKET_ERROR = 0;
const BUCKET_CANCELLED = 1;
const BUCKET_SPILL = 2;
const BUCKET_READ_BACK = 3;
const BUCKET_PREFIX0 = 4;

const WINDOWS: [string, number | null][] = [
  ['whole run', null],
  ['last 10 s', 10],
  ['last 30 s', 30],
  ['last 1 min', 60],
  ['last 5 min', 300],
];

export class TaskStreamPanel implements Panel {
  readonly element: HTMLElement;
  readonly history = new TaskHistory();
  private readonly canvas: HTMLCanvasElement;
  private readonly hint: HTMLElement;
  private readonly gate = new FetchGate();
  private since = 0;
  private lastNow = -1;
  private threads = 1;
  private dirty = true;
  private span: number | null = null; // null: whole run
  private fixed: { t0: number; t1: number } | null = null; // set by zoom / pan
  private layout: Layout | null = null;
  private drag: { x: number; t0: number; t1: number; moved: boolean } | null = null;

  // Rectangles drawn in the last frame (CSS px, x relative to the plot area).
  private boxCount = 0;
  private boxX = new Float32Array(4096);
  private boxW = new Float32Array(4096);
  private boxRow = new Int32Array(4096);
  private boxEntry = new Int32Array(4096);
  private boxMerged = new Int32Array(4096);
  private boxBucket = new Int32Array(4096);
  private column = new Int32Array(0);
  private columnCount = new Int32Array(0);

  constructor(private readonly onChange: () => void) {
    this.canvas = el('canvas', { id: 'task-stream', class: 'plot' });
    const windowSelect = el('select', { id: 'task-stream-window', title: 'time window' });
    WINDOWS.forEach(([label], i) => windowSelect.append(el('option', { value: String(i) }, label)));
    windowSelect.addEventListener('change', () => {
      this.span = WINDOWS[Number(windowSelect.value)]?.[1] ?? null;
      this.fixed = null;
      this.invalidate();
    });
    this.hint = el('span', { class: 'hint' });
    this.element = section(
      'Task Stream',
      el('div', { class: 'controls' }, windowSelect, this.hint),
      el('div', { class: 'canvas-box' }, this.canvas),
    );
    this.attachMouse();
    window.__taskStreamRects = 0;
    Object.defineProperty(window, '__taskStreamBoxes', {
      configurable: true,
      get: () => this.sampleBoxes(200),
    });
  }

  invalidate(): void {
    this.dirty = true;
    this.onChange();
  }

  refresh(summary: Summary): Promise<void> {
    return this.gate.run(async () => {
      this.threads = summary.threads;
      if (this.lastNow >= 0 && summary.now < this.lastNow - LATE_MARGIN_S) {
        // The dashboard's clock went back: a new server. Start over.
        this.history.clear();
        this.since = 0;
        this.fixed = null;
      }
      const response = await fetchTaskStream(this.since);
      const nextSince = Math.max(this.since, response.now - LATE_MARGIN_S);
      const added = this.history.add(response.tasks, nextSince);
      this.since = nextSince;
      const firstAnswer = this.lastNow < 0;
      this.lastNow = response.now;
      if (added > 0 || firstAnswer) this.invalidate();
    });
  }

  private visibleRange(): [number, number] {
    if (this.fixed) return [this.fixed.t0, this.fixed.t1];
    const h = this.history;
    if (h.length === 0) return [0, Math.max(1, this.lastNow)];
    // Follow the newest data (not the wall clock), so a finished run stays put.
    const end = h.stop[h.length - 1];
    let begin = h.minStart;
    if (this.span !== null) begin = Math.max(begin, end - this.span);
    const span = end - begin > 1e-6 ? end - begin : 1;
    const pad = span * 0.015;
    const t0 = begin >= 0 ? Math.max(0, begin - pad) : begin - pad;
    return [t0, end + pad];
  }

  private pushBox(x: number, w: number, row: number, entry: number, merged: number, bucket: number): void {
    const n = this.boxCount;
    if (n === this.boxX.length) {
      const grow = <T extends Float32Array | Int32Array>(a: T, make: (c: number) => T): T => {
        const b = make(n * 2);
        b.set(a);
        return b;
      };
      this.boxX = grow(this.boxX, (c) => new Float32Array(c));
      this.boxW = grow(this.boxW, (c) => new Float32Array(c));
      this.boxRow = grow(this.boxRow, (c) => new Int32Array(c));
      this.boxEntry = grow(this.boxEntry, (c) => new Int32Array(c));
      this.boxMerged = grow(this.boxMerged, (c) => new Int32Array(c));
      this.boxBucket = grow(this.boxBucket, (c) => new Int32Array(c));
    }
    this.boxX[n] = x;
    this.boxW[n] = w;
    this.boxRow[n] = row;
    this.boxEntry[n] = entry;
    this.boxMerged[n] = merged;
    this.boxBucket[n] = bucket;
    this.boxCount = n + 1;
  }

  private bucketColor(bucket: number): string {
    switch (bucket) {
      case BUCKET_ERROR:
        return ERROR_COLOR;
      case BUCKET_CANCELLED:
        return CANCELLED_COLOR;
      case BUCKET_SPILL:
        return SPILL_COLOR;
      case BUCKET_READ_BACK:
        return READ_BACK_COLOR;
      default:
        return prefixColor(this.history.prefixes[bucket - BUCKET_PREFIX0] ?? '').solid;
    }
  }

  draw(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const h = this.history;
    const cssW = availableWidth(this.canvas);
    const threadRows = Math.max(1, this.threads, h.maxWorker + 1);
    const rows = threadRows + 1;
    const ioRow = threadRows;
    const rowH = Math.max(8, Math.min(44, Math.floor(300 / rows)));
    const plotH = rows * rowH;
    const ctx = sizeCanvas(this.canvas, cssW, TOP + plotH + AXIS_H);
    const plotW = Math.max(10, cssW - LABEL_W - RIGHT_PAD);
    const [t0, t1] = this.visibleRange();
    const scale = plotW / (t1 - t0);
    this.layout = { t0, t1, scale, rowH, rows, ioRow };
    this.hint.textContent = this.fixed
      ? 'zoomed: double-click to follow the newest tasks again'
      : 'follows the newest tasks · wheel zooms, drag pans';

    // Row backgrounds and labels.
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    const labelEvery = Math.ceil(12 / rowH);
    for (let r = 0; r < rows; r++) {
      const y = TOP + r * rowH;
      ctx.fillStyle = r === ioRow ? '#fbf4ec' : r % 2 ? '#f6f7f9' : '#fdfdfe';
      ctx.fillRect(LABEL_W, y, plotW, rowH);
      if (r === ioRow || r % labelEvery === 0) {
        ctx.fillStyle = '#555';
        ctx.fillText(r === ioRow ? 'io' : `thread-${r}`, LABEL_W - 6, y + rowH / 2);
      }
    }

    // Time grid and axis.
    const step = niceStep(t1 - t0, plotW / 90);
    ctx.strokeStyle = '#e2e5ea';
    ctx.lineWidth = 1;
    ctx.fillStyle = '#555';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.beginPath();
    for (let k = Math.ceil(t0 / step); k * step <= t1; k++) {
      const t = k * step;
      const x = Math.round(LABEL_W + (t - t0) * scale) + 0.5;
      ctx.moveTo(x, TOP);
      ctx.lineTo(x, TOP + plotH + 3);
      ctx.fillText(formatTick(t, step), x, TOP + plotH + 5);
    }
    ctx.stroke();

    // Visible entries: stop >= t0 and start <= t1. Sorted by stop, so entries stopping after
    // t1 + the longest duration cannot start before t1 and the scan ends there.
    this.boxCount = 0;
    const cols = Math.ceil(plotW);
    const cells = rows * cols;
    if (this.column.length < cells) {
      this.column = new Int32Array(cells);
      this.columnCount = new Int32Array(cells);
    }
    const column = this.column;
    const columnCount = this.columnCount;
    column.fill(-1, 0, cells);
    columnCount.fill(0, 0, cells);
    const { start, stop, worker, flags, prefix } = h;
    const end = t1 + h.maxDuration;
    const bucketOf = (i: number): number => {
      const f = flags[i];
      const status = f >> 2;
      if (status === STATUS_ERROR) return BUCKET_ERROR;
      const kind = f & 3;
      if (kind === KIND_SPILL) return BUCKET_SPILL;
      if (kind === KIND_READ_BACK) return BUCKET_READ_BACK;
      if (status === STATUS_CANCELLED) return BUCKET_CANCELLED;
      return BUCKET_PREFIX0 + prefix[i];
    };
    for (let i = h.lowerBound(t0), n = h.length; i < n; i++) {
      const s1 = stop[i];
      if (s1 > end) break;
      const s0 = start[i];
      if (s0 > t1) continue;
      const w = worker[i];
      const row = w < 0 ? ioRow : w;
      const x0 = (Math.max(s0, t0) - t0) * scale;
      const x1 = (Math.min(s1, t1) - t0) * scale;
      if (x1 - x0 >= 1) {
        // A visible gap between neighbours once a rectangle is wide enough to afford it.
        const width = x1 - x0 > 4 ? x1 - x0 - 1 : x1 - x0;
        this.pushBox(x0, width, row, i, 1, bucketOf(i));
      } else {
        const c = row * cols + Math.min(cols - 1, Math.max(0, Math.floor(x0)));
        const prev = column[c];
        // Errors win a shared pixel so they never disappear when zoomed out.
        if (prev < 0 || flags[prev] >> 2 !== STATUS_ERROR) column[c] = i;
        columnCount[c]++;
      }
    }
    for (let c = 0; c < cells; c++) {
      const i = column[c];
      if (i >= 0) this.pushBox(c % cols, 1, Math.floor(c / cols), i, columnCount[c], bucketOf(i));
    }

    // Paint grouped by colour (counting sort on bucket).
    const nBuckets = BUCKET_PREFIX0 + h.prefixes.length;
    const offsets = new Int32Array(nBuckets + 1);
    for (let b = 0; b < this.boxCount; b++) offsets[this.boxBucket[b] + 1]++;
    for (let k = 0; k < nBuckets; k++) offsets[k + 1] += offsets[k];
    const order = new Int32Array(this.boxCount);
    const fillAt = offsets.slice(0, nBuckets);
    for (let b = 0; b < this.boxCount; b++) order[fillAt[this.boxBucket[b]]++] = b;
    const boxH = Math.max(1, rowH - 2 * BOX_PAD);
    for (let k = 0; k < nBuckets; k++) {
      if (offsets[k] === offsets[k + 1]) continue;
      ctx.fillStyle = this.bucketColor(k);
      for (let j = offsets[k]; j < offsets[k + 1]; j++) {
        const b = order[j];
        ctx.fillRect(LABEL_W + this.boxX[b], TOP + this.boxRow[b] * rowH + BOX_PAD, this.boxW[b], boxH);
      }
    }
    window.__taskStreamRects = this.boxCount;

    if (h.length === 0) {
      ctx.fillStyle = '#888';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('no tasks yet', LABEL_W + plotW / 2, TOP + plotH / 2);
    }
  }

  /** Index of the drawn box under (x, y) in canvas CSS px, or -1. */
  private hitTest(x: number, y: number): number {
    const layout = this.layout;
    if (!layout) return -1;
    const row = Math.floor((y - TOP) / layout.rowH);
    if (row < 0 || row >= layout.rows) return -1;
    const px = x - LABEL_W;
    let best = -1;
    let bestDist = 1.5; // px of slack for hairline rectangles
    for (let b = 0; b < this.boxCount; b++) {
      if (this.boxRow[b] !== row) continue;
      const bx = this.boxX[b];
      const bw = this.boxW[b];
      if (px >= bx && px < bx + bw) return b;
      const dist = px < bx ? bx - px : px - (bx + bw);
      if (dist < bestDist) {
        bestDist = dist;
        best = b;
      }
    }
    return best;
  }

  /** Up to `limit` drawn boxes that hit-test to themselves at their centre (for tests). */
  private sampleBoxes(limit: number): StreamBox[] {
    const out: StreamBox[] = [];
    const layout = this.layout;
    if (!layout || this.boxCount === 0) return out;
    const step = Math.max(1, Math.floor(this.boxCount / limit));
    const boxH = Math.max(1, layout.rowH - 2 * BOX_PAD);
    for (let b = 0; b < this.boxCount && out.length < limit; b += step) {
      const x = LABEL_W + this.boxX[b];
      const y = TOP + this.boxRow[b] * layout.rowH + BOX_PAD;
      const w = this.boxW[b];
      if (this.hitTest(x + w / 2, y + boxH / 2) !== b) continue;
      out.push({ x, y, w, h: boxH, key: this.history.keys[this.boxEntry[b]] });
    }
    return out;
  }

  private showTooltip(b: number, event: MouseEvent): void {
    const h = this.history;
    const i = this.boxEntry[b];
    const w = h.worker[i];
    const rows: [string, string][] = [
      ['prefix', h.prefixes[h.prefix[i]]],
      ['kind', KIND_NAMES[h.kind(i)]],
      ['status', STATUS_NAMES[h.status(i)]],
      ['worker', w < 0 ? 'io' : `thread-${w}`],
      ['start', formatSeconds(h.start[i])],
      ['duration', formatSeconds(h.stop[i] - h.start[i])],
      [h.kind(i) === KIND_TASK ? 'result' : 'bytes', formatBytes(h.bytes[i])],
    ];
    const merged = this.boxMerged[b];
    if (merged > 1) rows.push(['pixel', `${merged} entries merged; showing the last`]);
    tooltip.show(h.keys[i], rows, event.clientX, event.clientY);
  }

  private attachMouse(): void {
    const canvas = this.canvas;
    canvas.addEventListener('mousemove', (event) => {
      const p = localPoint(canvas, event);
      if (this.drag && this.layout) {
        const dt = (p.x - this.drag.x) / this.layout.scale;
        if (Math.abs(p.x - this.drag.x) > 2) this.drag.moved = true;
        if (this.drag.moved) {
          this.fixed = { t0: this.drag.t0 - dt, t1: this.drag.t1 - dt };
          tooltip.hide();
          this.invalidate();
        }
        return;
      }
      const b = this.hitTest(p.x, p.y);
      if (b < 0) tooltip.hide();
      else this.showTooltip(b, event);
    });
    canvas.addEventListener('mouseleave', () => tooltip.hide());
    canvas.addEventListener('mousedown', (event) => {
      if (!this.layout || event.button !== 0) return;
      const p = localPoint(canvas, event);
      this.drag = { x: p.x, t0: this.layout.t0, t1: this.layout.t1, moved: false };
      event.preventDefault();
    });
    window.addEventListener('mouseup', () => {
      this.drag = null;
    });
    canvas.addEventListener(
      'wheel',
      (event) => {
        const layout = this.layout;
        if (!layout) return;
        event.preventDefault();
        const p = localPoint(canvas, event);
        const tc = layout.t0 + (p.x - LABEL_W) / layout.scale;
        const factor = Math.exp(Math.max(-1, Math.min(1, event.deltaY * 0.0015)));
        if ((layout.t1 - layout.t0) * factor < 1e-5) return;
        this.fixed = { t0: tc - (tc - layout.t0) * factor, t1: tc + (layout.t1 - tc) * factor };
        this.invalidate();
      },
      { passive: false },
    );
    canvas.addEventListener('dblclick', () => {
      this.fixed = null;
      this.invalidate();
    });
  }
}
