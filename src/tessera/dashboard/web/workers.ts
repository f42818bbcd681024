// Per-worker views: small CPU / processing bar charts for the status page and the full table for
// /workers. Both are plain DOM: one row per worker thread.

import { fetchWorkers, type Summary, type WorkerInfo } from './api';
import { formatBytes, formatInt } from './format';
import { FetchGate, type Panel, el, section } from './ui';

function barChart(
  kind: string,
  workers: WorkerInfo[],
  value: (w: WorkerInfo) => number,
  max: (w: WorkerInfo) => number,
  text: (w: WorkerInfo) => string,
): HTMLElement[] {
  return workers.map((w) => {
    const fill = el('div', { class: 'mini-fill' });
    fill.style.width = `${Math.max(0, Math.min(100, (100 * value(w)) / Math.max(max(w), 1e-9)))}%`;
    return el(
      'div',
      { class: 'mini-row', 'data-worker': w.name },
      el('span', { class: 'mini-label' }, w.name),
      el('div', { class: `mini-track ${kind}` }, fill),
      el('span', { class: 'mini-value' }, text(w)),
    );
  });
}

/** What both worker views share: /api/workers fetched on each tick, redrawn when it changed. */
abstract class WorkersPanel implements Panel {
  abstract readonly element: HTMLElement;
  protected data: WorkerInfo[] | null = null;
  protected dirty = false;
  private readonly gate = new FetchGate();

  constructor(private readonly onChange: () => void) {}

  invalidate(): void {
    this.dirty = true;
    this.onChange();
  }

  refresh(_summary: Summary): Promise<void> {
    return this.gate.run(async () => {
      this.data = (await fetchWorkers()).workers;
      this.invalidate();
    });
  }

  abstract draw(): void;
}

/** CPU % and tasks processing per worker, side by side. */
export class WorkerBarsPanel extends WorkersPanel {
  readonly element: HTMLElement;
  private readonly cpu: HTMLElement;
  private readonly processing: HTMLElement;

  constructor(onChange: () => void) {
    super(onChange);
    this.cpu = el('div', { id: 'workers-cpu', class: 'mini-chart' });
    this.processing = el('div', { id: 'workers-processing', class: 'mini-chart' });
    this.element = section(
      'Workers',
      el(
        'div',
        { class: 'mini-charts' },
        el('div', {}, el('h3', {}, 'CPU %'), this.cpu),
        el('div', {}, el('h3', {}, 'Tasks processing'), this.processing),
      ),
    );
  }


  draw(): void {
    if (!this.dirty || !this.data) return;
    this.dirty = false;
    const workers = this.data;
    // A worker with n threads can use n × 100 % CPU.
    this.cpu.replaceChildren(
      ...barChart('cpu', workers, (w) => w.cpu, (w) => 100 * Math.max(1, w.threads), (w) => `${w.cpu.toFixed(0)}%`),
    );
    const maxProcessing = Math.max(1, ...workers.map((w) => Math.max(w.processing, w.threads)));
    this.processing.replaceChildren(
      ...barChart('processing', workers, (w) => w.processing, () => maxProcessing, (w) => String(w.processing)),
    );
  }
}

const COLUMNS: [string, (w: WorkerInfo) => string, ((w: WorkerInfo) => string) | null][] = [
  ['name', (w) => w.name, null],
  ['threads', (w) => String(w.threads), null],
  ['cpu %', (w) => w.cpu.toFixed(1), null],
  ['processing', (w) => String(w.processing), null],
  ['done', (w) => formatInt(w.done), null],
  ['memory', (w) => formatBytes(w.memory), (w) => `${Math.round(w.memory)} bytes`],
  ['spilled', (w) => formatBytes(w.spilled), (w) => `${Math.round(w.spilled)} bytes`],
];

/** The /workers page: one table row per worker thread, totals in the footer. */
export class WorkersTablePanel extends WorkersPanel {
  readonly element: HTMLElement;
  private readonly body: HTMLTableSectionElement;
  private readonly foot: HTMLTableSectionElement;

  constructor(onChange: () => void) {
    super(onChange);
    const head = el('thead', {}, el('tr', {}, ...COLUMNS.map(([name]) => el('th', { scope: 'col' }, name))));
    this.body = el('tbody');
    this.foot = el('tfoot');
    this.element = section('Workers', el('table', { id: 'workers-table', class: 'data-table' }, head, this.body, this.foot));
  }


  draw(): void {
    if (!this.dirty || !this.data) return;
    this.dirty = false;
    const rows = this.data.map((w) =>
      el(
        'tr',
        { 'data-worker': w.name },
        ...COLUMNS.map(([name, cell, title]) => el('td', { class: `col-${name.replace(/\W+/g, '')}`, ...(title ? { title: title(w) } : {}) }, cell(w))),
      ),
    );
    this.body.replaceChildren(...rows);
    const sum = (f: (w: WorkerInfo) => number): number => this.data!.reduce((acc, w) => acc + f(w), 0);
    const total: WorkerInfo = {
      name: 'total',
      threads: sum((w) => w.threads),
      cpu: sum((w) => w.cpu),
      processing: sum((w) => w.processing),
      done: sum((w) => w.done),
      memory: sum((w) => w.memory),
      spilled: sum((w) => w.spilled),
    };
    this.foot.replaceChildren(el('tr', {}, ...COLUMNS.map(([, cell]) => el('td', {}, cell(total)))));
  }
}
