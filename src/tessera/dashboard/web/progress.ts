// Progress: one horizontal bar per task prefix. Plain DOM (a few dozen bars at most), reusing the
// rows between ticks so the page does not flicker.

import { fetchProgress, type PrefixProgress, type Summary } from './api';
import { prefixColor } from './colors';
import { FetchGate, type Panel, el, section } from './ui';

interface Row {
  root: HTMLElement;
  bar: HTMLElement;
  text: HTMLElement;
  segments: Record<Segment, HTMLElement>;
}

// Drawing order left to right; "waiting" is the empty rest of the track.
const SEGMENTS = ['memory', 'released', 'erred', 'processing'] as const;
type Segment = (typeof SEGMENTS)[number];

/** Finished tasks: results held, results already released, or failed. */
export function doneCount(p: PrefixProgress): number {
  return p.memory + p.released + p.erred;
}

export class ProgressPanel implements Panel {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly rows = new Map<string, Row>();
  private readonly gate = new FetchGate();
  private data: PrefixProgress[] | null = null;
  private dirty = false;

  constructor(private readonly onChange: () => void) {
    this.list = el('div', { id: 'progress' });
    this.element = section('Progress', this.list);
  }

  invalidate(): void {
    this.dirty = true;
    this.onChange();
  }

  refresh(_summary: Summary): Promise<void> {
    return this.gate.run(async () => {
      const response = await fetchProgress();
      this.data = response.prefixes;
      this.invalidate();
    });
  }

  private makeRow(prefix: string): Row {
    const colors = prefixColor(prefix);
    const segments = {} as Record<Segment, HTMLElement>;
    const track = el('div', { class: 'progress-track' });
    for (const name of SEGMENTS) {
      const seg = el('div', { class: `seg seg-${name}` });
      if (name === 'memory') seg.style.background = colors.solid;
      if (name === 'released') seg.style.background = colors.light;
      if (name === 'processing')
        seg.style.background = `repeating-linear-gradient(135deg, ${colors.solid} 0 3px, ${colors.light} 3px 6px)`;
      segments[name] = seg;
      track.append(seg);
    }
    const text = el('span', { class: 'progress-text' });
    const bar = el('div', { class: 'progress-bar', 'data-prefix': prefix }, track, text);
    const label = el('span', { class: 'progress-label', title: prefix }, prefix);
    label.style.borderLeftColor = colors.solid;
    const root = el('div', { class: 'progress-row' }, label, bar);
    return { root, bar, text, segments };
  }

  draw(): void {
    if (!this.dirty || !this.data) return;
    this.dirty = false;
    const seen = new Set<string>();
    let previous: HTMLElement | null = null;
    for (const p of this.data) {
      seen.add(p.prefix);
      let row = this.rows.get(p.prefix);
      if (!row) {
        row = this.makeRow(p.prefix);
        this.rows.set(p.prefix, row);
      }
      // Keep the server's order without rebuilding rows.
      const want: ChildNode | null = previous ? previous.nextSibling : this.list.firstChild;
      if (want !== row.root) this.list.insertBefore(row.root, want);
      previous = row.root;

      const total = Math.max(0, p.total);
      const pct = (n: number): string => `${total > 0 ? (100 * n) / total : 0}%`;
      for (const name of SEGMENTS) row.segments[name].style.width = pct(p[name]);
      const done = doneCount(p);
      row.text.textContent = `${done}/${total}`;
      row.bar.title =
        `${p.prefix}: ${done} of ${total} done — in memory ${p.memory}, released ${p.released}, ` +
        `erred ${p.erred}, processing ${p.processing}, waiting ${p.waiting}`;
      row.bar.classList.toggle('complete', total > 0 && done >= total);
    }
    for (const [prefix, row] of this.rows) {
      if (seen.has(prefix)) continue;
      row.root.remove();
      this.rows.delete(prefix);
    }
    if (this.data.length === 0 && !this.list.querySelector('.empty')) {
      this.list.append(el('div', { class: 'empty' }, 'no tasks yet'));
    } else if (this.data.length > 0) {
      this.list.querySelector('.empty')?.remove();
    }
  }
}
