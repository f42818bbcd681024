// Profile: a flame graph of the sampled call stacks (root "all" at the bottom, callees above).
// Click a frame to zoom into it; click a frame below the zoomed one to zoom back out.

import { fetchProfile, profileUrl, type ProfileNode, type ProfileQuery, type ProfileResponse, type Summary } from './api';
import { frameColor } from './colors';
import { formatInt } from './format';
import { FetchGate, type Panel, availableWidth, el, localPoint, section, sizeCanvas, tooltip } from './ui';

declare global {
  interface Window {
    __flameFrames?: string[];
    __flameSamples?: number;
    __flameQuery?: string;
  }
}

const ROW_H = 18;
const MIN_FRAME_W = 0.5; // narrower frames (and their callees) are not drawn
const LABEL_MIN_W = 24;
const FONT = '11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';
// A profile is a large answer; once a second is plenty for a view that changes slowly.
const REFRESH_MS = 1000;

interface DrawnFrame {
  x: number;
  w: number;
  level: number;
  node: ProfileNode;
  parent: number; // index into the drawn list, -1 for the root
  ancestor: boolean; // on the path above the zoomed frame (drawn full width, dimmed)
}

function sortedChildren(node: ProfileNode): ProfileNode[] {
  // Sorted by name so frames keep their place from one refresh to the next.
  return (node.children ?? []).slice().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export class ProfilePanel implements Panel {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly frameList: HTMLUListElement;
  private readonly info: HTMLElement;
  private readonly select: HTMLSelectElement | null = null;
  private readonly startInput: HTMLInputElement | null = null;
  private readonly stopInput: HTMLInputElement | null = null;
  private readonly gate = new FetchGate(REFRESH_MS);
  private data: ProfileResponse | null = null;
  private knownPrefixes = '';
  private focusPath: string[] = [];
  private frames: DrawnFrame[] = [];
  private dirty = false;
  private now = 0;

  constructor(
    private readonly onChange: () => void,
    live: boolean,
  ) {
    this.canvas = el('canvas', { id: 'flame-graph', class: 'plot' });
    this.frameList = el('ul', { id: 'flame-frames' });
    this.frameList.hidden = true;
    this.info = el('span', { id: 'profile-info', class: 'hint' });
    const controls = el('div', { class: 'controls' });
    if (live) {
      this.select = el('select', { id: 'prefix-filter', title: 'only samples taken while tasks of this prefix ran' });
      this.select.append(el('option', { value: '' }, 'all'));
      this.startInput = el('input', { id: 'profile-start', type: 'number', step: 'any', min: '0', placeholder: '0' });
      this.stopInput = el('input', { id: 'profile-stop', type: 'number', step: 'any', min: '0', placeholder: 'now' });
      const apply = el('button', { id: 'profile-apply', type: 'button' }, 'Apply');
      const refetch = (): void => {
        this.gate.reset();
        void this.refetch();
      };
      this.select.addEventListener('change', refetch);
      this.startInput.addEventListener('change', refetch);
      this.stopInput.addEventListener('change', refetch);
      apply.addEventListener('click', refetch);
      controls.append(
        el('label', {}, 'Prefix ', this.select),
        el('label', {}, 'Start (s) ', this.startInput),
        el('label', {}, 'Stop (s) ', this.stopInput),
        apply,
      );
    }
    controls.append(this.info);
    this.element = section('Profile', controls, el('div', { class: 'canvas-box' }, this.canvas), this.frameList);
    this.attachMouse();
  }

  invalidate(): void {
    this.dirty = true;
    this.onChange();
  }

  private query(): ProfileQuery {
    const number = (input: HTMLInputElement | null, fallback: number): number => {
      const v = input && input.value.trim() !== '' ? Number(input.value) : NaN;
      return Number.isFinite(v) ? v : fallback;
    };
    // An empty stop means "up to now": the latest time the server told us.
    return { prefix: this.select?.value ?? '', start: number(this.startInput, 0), stop: number(this.stopInput, this.now) };
  }

  refresh(summary: Summary): Promise<void> {
    this.now = summary.now;
    return this.refetch();
  }

  private refetch(): Promise<void> {
    return this.gate.run(async () => {
      const q = this.query();
      window.__flameQuery = profileUrl(q);
      const data = await fetchProfile(q);
      // An empty selection may come without a tree.
      this.data = { samples: data.samples ?? 0, prefixes: data.prefixes ?? [], root: data.root ?? { name: 'all', value: 0 } };
      this.updatePrefixes(this.data.prefixes);
      this.invalidate();
    });
  }

  private updatePrefixes(prefixes: string[]): void {
    const select = this.select;
    const signature = prefixes.join('\n');
    if (!select || signature === this.knownPrefixes) return;
    this.knownPrefixes = signature;
    const chosen = select.value;
    const options = [el('option', { value: '' }, 'all'), ...prefixes.map((p) => el('option', { value: p }, p))];
    if (chosen && !prefixes.includes(chosen)) options.push(el('option', { value: chosen }, chosen));
    select.replaceChildren(...options);
    select.value = chosen;
  }

  /** The zoomed frame's ancestors (root first, zoomed frame last) that still exist. */
  private focusChain(root: ProfileNode): ProfileNode[] {
    const chain = [root];
    for (const name of this.focusPath) {
      const next = (chain[chain.length - 1].children ?? []).find((c) => c.name === name);
      if (!next) break;
      chain.push(next);
    }
    return chain;
  }

  private layout(root: ProfileNode, width: number): DrawnFrame[] {
    const frames: DrawnFrame[] = [];
    const chain = this.focusChain(root);
    chain.forEach((node, level) => {
      frames.push({ x: 0, w: width, level, node, parent: level - 1, ancestor: level < chain.length - 1 });
    });
    const focus = chain[chain.length - 1];
    if (focus.value <= 0) return frames;
    const scale = width / focus.value;
    const visit = (node: ProfileNode, index: number, x: number, level: number): void => {
      let cx = x;
      for (const child of sortedChildren(node)) {
        const w = child.value * scale;
        if (w >= MIN_FRAME_W) {
          frames.push({ x: cx, w, level, node: child, parent: index, ancestor: false });
          visit(child, frames.length - 1, cx, level + 1);
        }
        cx += w;
      }
    };
    visit(focus, frames.length - 1, 0, chain.length);
    return frames;
  }

  draw(): void {
    if (!this.dirty || !this.data) return;
    this.dirty = false;
    const root = this.data.root;
    const cssW = availableWidth(this.canvas);
    const frames = this.layout(root, cssW);
    this.frames = frames;
    const levels = frames.reduce((m, f) => Math.max(m, f.level + 1), 1);
    const cssH = Math.max(levels * ROW_H, 6 * ROW_H);
    const ctx = sizeCanvas(this.canvas, cssW, cssH);
    ctx.font = FONT;
    ctx.textBaseline = 'middle';
    const charW = ctx.measureText('m').width || 7;
    const names = new Set<string>();
    for (const f of frames) {
      const y = cssH - (f.level + 1) * ROW_H;
      ctx.globalAlpha = f.ancestor ? 0.55 : 1;
      ctx.fillStyle = f.parent < 0 ? '#c7ccd4' : frameColor(f.node.name);
      ctx.fillRect(f.x, y, Math.max(f.w - (f.w > 3 ? 1 : 0), 0.5), ROW_H - 1);
      names.add(f.node.name);
      if (f.w >= LABEL_MIN_W) {
        const fit = Math.floor((f.w - 6) / charW);
        const name = f.node.name;
        const label = name.length <= fit ? name : `${name.slice(0, Math.max(1, fit - 1))}…`;
        ctx.fillStyle = '#1d1d1d';
        ctx.fillText(label, f.x + 3, y + ROW_H / 2);
      }
    }
    ctx.globalAlpha = 1;
    if (root.value <= 0) {
      ctx.fillStyle = '#888';
      ctx.textAlign = 'center';
      ctx.fillText('no samples in this selection', cssW / 2, cssH / 2);
      ctx.textAlign = 'left';
    }

    const list = [...names];
    window.__flameFrames = list;
    window.__flameSamples = root.value;
    this.frameList.replaceChildren(...list.map((n) => el('li', {}, n)));
    const selection = this.select?.value ? `prefix ${this.select.value}` : 'all prefixes';
    this.info.textContent = `${formatInt(this.data.samples)} samples · ${selection}${
      this.focusPath.length ? ' · click a lower frame to zoom out' : ' · click a frame to zoom'
    }`;
  }

  private frameAt(x: number, y: number): number {
    const cssH = this.canvas.clientHeight;
    const level = Math.floor((cssH - y) / ROW_H);
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const f = this.frames[i];
      if (f.level === level && x >= f.x && x < f.x + Math.max(f.w, 1)) return i;
    }
    return -1;
  }

  private attachMouse(): void {
    this.canvas.addEventListener('mousemove', (event) => {
      const p = localPoint(this.canvas, event);
      const i = this.frameAt(p.x, p.y);
      if (i < 0 || !this.data) {
        tooltip.hide();
        return;
      }
      const node = this.frames[i].node;
      const total = this.data.root.value || 1;
      tooltip.show(
        node.name,
        [
          ['samples', formatInt(node.value)],
          ['of all', `${((100 * node.value) / total).toFixed(1)}%`],
        ],
        event.clientX,
        event.clientY,
      );
    });
    this.canvas.addEventListener('mouseleave', () => tooltip.hide());
    this.canvas.addEventListener('click', (event) => {
      const p = localPoint(this.canvas, event);
      let i = this.frameAt(p.x, p.y);
      if (i < 0) return;
      // The path from the root's child down to the clicked frame becomes the zoom.
      const path: string[] = [];
      while (i >= 0 && this.frames[i].parent >= 0) {
        path.unshift(this.frames[i].node.name);
        i = this.frames[i].parent;
      }
      this.focusPath = path;
      this.invalidate();
    });
  }
}
