// Entry point: picks the page from the URL (one index.html serves every route), builds its panels,
// refreshes them on every server tick and paints them in one requestAnimationFrame callback.

import { isReport, subscribeTicks, type ConnectionMode, type Summary } from './api';
import { formatBytes, formatInt, formatSeconds } from './format';
import { GraphPanel } from './graph';
import { MemoryPanel } from './memory';
import { ProfilePanel } from './profile';
import { ProgressPanel } from './progress';
import { TaskStreamPanel } from './taskstream';
import { type Panel, el } from './ui';
import { WorkerBarsPanel, WorkersTablePanel } from './workers';

type Route = 'status' | 'workers' | 'profile' | 'graph' | 'report';

function currentRoute(): Route {
  if (isReport()) return 'report';
  // The last path segment, so the pages also work below a path prefix.
  const path = location.pathname.replace(/\/+$/, '');
  const last = path.slice(path.lastIndexOf('/') + 1);
  return last === 'workers' || last === 'profile' || last === 'graph' ? last : 'status';
}

/** Creates the route's panels inside #app, in a layout that suits the page. */
function buildPage(route: Route, app: HTMLElement, onChange: () => void): Panel[] {
  const column = (cls: string, ...panels: Panel[]): HTMLElement =>
    el('div', { class: cls }, ...panels.map((p) => p.element));
  switch (route) {
    case 'workers': {
      const table = new WorkersTablePanel(onChange);
      app.append(table.element);
      return [table];
    }
    case 'profile': {
      const profile = new ProfilePanel(onChange, true);
      app.append(profile.element);
      return [profile];
    }
    case 'graph': {
      const graph = new GraphPanel(onChange);
      app.append(graph.element);
      return [graph];
    }
    case 'report': {
      const stream = new TaskStreamPanel(onChange);
      const progress = new ProgressPanel(onChange);
      const memory = new MemoryPanel(onChange);
      const profile = new ProfilePanel(onChange, false);
      app.append(stream.element, el('div', { class: 'columns' }, column('col', progress), column('col', memory)), profile.element);
      return [stream, progress, memory, profile];
    }
    default: {
      const stream = new TaskStreamPanel(onChange);
      const progress = new ProgressPanel(onChange);
      const memory = new MemoryPanel(onChange);
      const workers = new WorkerBarsPanel(onChange);
      app.append(stream.element, el('div', { class: 'columns' }, column('col', progress), column('col', memory, workers)));
      return [stream, progress, memory, workers];
    }
  }
}

const MODE_TEXT: Record<ConnectionMode, string> = {
  connecting: 'connecting…',
  live: 'live',
  polling: 'live (polling)',
  offline: 'disconnected',
  report: 'performance report',
};

function showMode(mode: ConnectionMode): void {
  const node = document.getElementById('conn-status');
  if (!node || node.dataset.mode === mode) return;
  node.dataset.mode = mode;
  node.textContent = MODE_TEXT[mode];
}

function showSummary(s: Summary): void {
  const node = document.getElementById('summary-text');
  if (!node) return;
  const parts = [
    `${formatInt(s.tasks_done)}/${formatInt(s.tasks_total)} tasks`,
    `${s.threads} threads`,
    `limit ${formatBytes(s.memory_limit)}`,
    `t = ${formatSeconds(s.now)}`,
  ];
  node.textContent = parts.join(' · ');
}

function start(): void {
  const route = currentRoute();
  document.body.dataset.route = route;
  const app = document.getElementById('app') ?? document.body.appendChild(el('main', { id: 'app' }));

  const nav = document.getElementById('nav');
  if (route === 'report') {
    // Links would lead nowhere from a file.
    nav?.remove();
    document.title = 'tessera dashboard — performance report';
  } else {
    nav?.querySelectorAll<HTMLAnchorElement>('a[data-route]').forEach((a) => {
      a.classList.toggle('active', a.dataset.route === route);
    });
  }

  // One animation frame paints every panel that changed since the last one.
  let frame = 0;
  let panels: Panel[] = [];
  const requestDraw = (): void => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      for (const panel of panels) {
        try {
          panel.draw();
        } catch (err) {
          console.error('dashboard: drawing failed', err);
        }
      }
    });
  };
  panels = buildPage(route, app, requestDraw);

  window.addEventListener('resize', () => panels.forEach((p) => p.invalidate()));

  subscribeTicks(
    (summary) => {
      showSummary(summary);
      for (const panel of panels) {
        panel.refresh(summary).catch((err: unknown) => console.warn('dashboard: refresh failed', err));
      }
    },
    showMode,
  );
}

// The bundle may run before the rest of the document (and, in a report, before the inlined
// data) has been parsed.
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
