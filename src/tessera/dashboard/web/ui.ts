// Small DOM helpers shared by the panels: element creation, HiDPI canvases, the tooltip.

import type { Summary } from './api';

type Child = Node | string | null | undefined;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'class') node.className = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child);
  }
  return node;
}

/** A titled box that holds one plot. */
export function section(title: string, ...body: Child[]): HTMLElement {
  return el('section', { class: 'panel' }, el('h2', {}, title), ...body);
}

/**
 * Sizes a canvas for the device pixel ratio and returns a context whose units are CSS pixels,
 * so drawing code and hit-testing share one coordinate system.
 */
export function sizeCanvas(canvas: HTMLCanvasElement, cssWidth: number, cssHeight: number): CanvasRenderingContext2D {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(cssWidth * dpr));
  const h = Math.max(1, Math.round(cssHeight * dpr));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  canvas.style.width = `${cssWidth}px`;
  canvas.style.height = `${cssHeight}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('canvas 2d context unavailable');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, cssWidth, cssHeight);
  return ctx;
}

/** Width available to a canvas: its parent's content box. */
export function availableWidth(canvas: HTMLCanvasElement, fallback = 800): number {
  const parent = canvas.parentElement;
  const w = parent ? parent.clientWidth : 0;
  return Math.max(200, Math.floor(w || fallback));
}

/** Mouse position relative to an element, in CSS pixels. */
export function localPoint(target: Element, event: MouseEvent): { x: number; y: number } {
  const r = target.getBoundingClientRect();
  return { x: event.clientX - r.left, y: event.clientY - r.top };
}

export type TooltipRow = [string, string];

/** The one positioned tooltip, div#tooltip from index.html. */
export const tooltip = {
  element(): HTMLElement {
    let node = document.getElementById('tooltip');
    if (!node) {
      node = el('div', { id: 'tooltip', role: 'tooltip' });
      node.hidden = true;
      document.body.append(node);
    }
    return node;
  },

  show(title: string, rows: TooltipRow[], clientX: number, clientY: number): void {
    const node = this.element();
    // textContent everywhere: keys and function names are data, never markup.
    const table = el('table');
    for (const [label, value] of rows) table.append(el('tr', {}, el('th', {}, label), el('td', {}, value)));
    node.replaceChildren(el('div', { class: 'tooltip-title' }, title), table);
    node.hidden = false;
    const pad = 14;
    const { offsetWidth: w, offsetHeight: h } = node;
    let x = clientX + pad;
    let y = clientY + pad;
    if (x + w > window.innerWidth - 4) x = Math.max(4, clientX - pad - w);
    if (y + h > window.innerHeight - 4) y = Math.max(4, clientY - pad - h);
    node.style.left = `${x}px`;
    node.style.top = `${y}px`;
  },

  hide(): void {
    this.element().hidden = true;
  },
};

/**
 * One plot on a page. refresh() fetches (called on every tick; a panel skips a tick while its
 * previous fetch is still running); draw() paints only if something changed (called from the
 * page's single requestAnimationFrame callback).
 */
export interface Panel {
  readonly element: HTMLElement;
  refresh(summary: Summary): Promise<void>;
  draw(): void;
  /** Forces the next draw, e.g. after a resize. */
  invalidate(): void;
}

/** Runs fetches of one panel one at a time and at most every minIntervalMs. */
export class FetchGate {
  private busy = false;
  private last = -Infinity;

  constructor(public minIntervalMs = 0) {}

  async run(fetcher: () => Promise<void>): Promise<void> {
    const now = performance.now();
    if (this.busy || now - this.last < this.minIntervalMs) return;
    this.busy = true;
    this.last = now;
    try {
      await fetcher();
    } finally {
      this.busy = false;
    }
  }

  /** Lets the next run() go at once (e.g. after the user changed a filter). */
  reset(): void {
    this.last = -Infinity;
  }
}
