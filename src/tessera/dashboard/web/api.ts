// The only module that talks to the server. In performance-report mode the same functions answer
// from window.TESSERA_REPORT instead, so the panels never know (or care) where data comes from.

export interface Summary {
  threads: number;
  memory_limit: number;
  now: number;
  tasks_total: number;
  tasks_done: number;
  report: boolean;
}

export type TaskStatus = 'ok' | 'error' | 'cancelled';
export type TaskKind = 'task' | 'spill' | 'read-back';

export interface TaskEntry {
  key: string;
  prefix: string;
  worker: number; // thread index, or -1 for spill / read-back outside a worker
  start: number;
  stop: number;
  bytes: number;
  status: TaskStatus;
  kind: TaskKind;
}

export interface TaskStreamResponse {
  now: number;
  tasks: TaskEntry[];
}

export interface PrefixProgress {
  prefix: string;
  total: number;
  waiting: number;
  processing: number;
  memory: number;
  released: number;
  erred: number;
}

export interface ProgressResponse {
  prefixes: PrefixProgress[];
}

export interface MemorySample {
  t: number;
  managed: number;
  spilled: number;
  rss: number;
}

export interface MemoryResponse {
  limit: number;
  managed: number;
  unmanaged: number;
  spilled: number;
  /** Most bytes ever spilled at once (the server may leave it out). */
  max_spilled?: number;
  rss: number;
  history: MemorySample[];
}

export interface WorkerInfo {
  name: string;
  threads: number;
  cpu: number;
  processing: number;
  done: number;
  memory: number;
  spilled: number;
}

export interface WorkersResponse {
  workers: WorkerInfo[];
}

export interface ProfileNode {
  name: string;
  value: number;
  children?: ProfileNode[];
}

export interface ProfileResponse {
  samples: number;
  prefixes: string[];
  root: ProfileNode;
}

export type TaskState = 'waiting' | 'processing' | 'memory' | 'released' | 'erred';

export interface GraphNode {
  id: string;
  label: string;
  prefix: string;
  state: TaskState;
  count: number;
}

export interface GraphResponse {
  grouped: boolean;
  nodes: GraphNode[];
  edges: [string, string][];
}

/** What a performance report embeds: each endpoint's answer (task stream with since=0). */
export interface ReportData {
  summary: Summary;
  taskStream: TaskStreamResponse;
  progress: ProgressResponse;
  memory: MemoryResponse;
  workers: WorkersResponse;
  profile: ProfileResponse;
  graph: GraphResponse;
}

declare global {
  interface Window {
    TESSERA_REPORT?: ReportData;
  }
}

export function reportData(): ReportData | undefined {
  return window.TESSERA_REPORT;
}

export function isReport(): boolean {
  return window.TESSERA_REPORT !== undefined && window.TESSERA_REPORT !== null;
}

// A request that hangs would block its panel for good (panels fetch one at a time); give up so the
// next tick can try again. Generous, since a first task-stream answer can hold a million tasks.
const FETCH_TIMEOUT_MS = 30_000;

async function getJson<T>(path: string): Promise<T> {
  const abort = new AbortController();
  const timer = window.setTimeout(() => abort.abort(), FETCH_TIMEOUT_MS);
  try {
    const response = await fetch(path, { cache: 'no-store', headers: { Accept: 'application/json' }, signal: abort.signal });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return (await response.json()) as T;
  } finally {
    window.clearTimeout(timer);
  }
}

/** Report mode answers synchronously-but-async so callers have one code path. */
function fromReport<T>(pick: (r: ReportData) => T): Promise<T> | undefined {
  const report = reportData();
  return report ? Promise.resolve(pick(report)) : undefined;
}

export function fetchSummary(): Promise<Summary> {
  return fromReport((r) => r.summary) ?? getJson<Summary>('/api/summary');
}

export function fetchTaskStream(since: number): Promise<TaskStreamResponse> {
  return (
    fromReport((r) => ({ now: r.taskStream.now, tasks: r.taskStream.tasks.filter((t) => t.stop > since) })) ??
    getJson<TaskStreamResponse>(`/api/task-stream?since=${encodeURIComponent(String(since))}`)
  );
}

export function fetchProgress(): Promise<ProgressResponse> {
  return fromReport((r) => r.progress) ?? getJson<ProgressResponse>('/api/progress');
}

export function fetchMemory(): Promise<MemoryResponse> {
  return fromReport((r) => r.memory) ?? getJson<MemoryResponse>('/api/memory');
}

export function fetchWorkers(): Promise<WorkersResponse> {
  return fromReport((r) => r.workers) ?? getJson<WorkersResponse>('/api/workers');
}

export interface ProfileQuery {
  prefix: string; // '' = all prefixes
  start: number;
  stop: number;
}

export function profileUrl(q: ProfileQuery): string {
  const params = new URLSearchParams({ prefix: q.prefix, start: String(q.start), stop: String(q.stop) });
  return `/api/profile?${params.toString()}`;
}

/** A report holds one whole-run profile; the query cannot be honoured there and is ignored. */
export function fetchProfile(q: ProfileQuery): Promise<ProfileResponse> {
  return fromReport((r) => r.profile) ?? getJson<ProfileResponse>(profileUrl(q));
}

export function fetchGraph(): Promise<GraphResponse> {
  return fromReport((r) => r.graph) ?? getJson<GraphResponse>('/api/graph');
}

export type ConnectionMode = 'connecting' | 'live' | 'polling' | 'offline' | 'report';

const POLL_INTERVAL_MS = 500;
// An event stream that stays silent this long is treated as broken (e.g. a buffering proxy).
const SSE_SILENCE_MS = 3000;

/**
 * Calls onTick with each new summary: from the server's event stream when it works, else by
 * polling /api/summary every 500 ms. A report ticks exactly once.
 *
 * A hidden tab lets go of its event stream (and stops polling): browsers allow only ~6 HTTP/1.1
 * connections per host, and a few background dashboard tabs holding streams would starve the
 * visible tab's fetches.
 */
export function subscribeTicks(onTick: (s: Summary) => void, onMode: (m: ConnectionMode) => void): void {
  const report = reportData();
  if (report) {
    onMode('report');
    onTick(report.summary);
    return;
  }

  let polling = false;
  let pollLoopAlive = false; // a poll is in flight or scheduled
  const poll = async (): Promise<void> => {
    pollLoopAlive = !document.hidden;
    if (!pollLoopAlive) return; // resumed by the visibility handler
    try {
      const summary = await fetchSummary();
      onMode('polling');
      onTick(summary);
    } catch {
      onMode('offline');
    }
    window.setTimeout(() => void poll(), POLL_INTERVAL_MS);
  };

  let source: EventSource | null = null;
  let silence = 0;
  const disconnect = (): void => {
    window.clearTimeout(silence);
    source?.close();
    source = null;
  };
  const fallBack = (): void => {
    disconnect();
    if (polling) return;
    polling = true;
    void poll();
  };
  const armWatchdog = (): void => {
    window.clearTimeout(silence);
    silence = window.setTimeout(fallBack, SSE_SILENCE_MS);
  };
  const connect = (): void => {
    onMode('connecting');
    // Paint something right away instead of waiting for the first event.
    fetchSummary().then(
      (s) => {
        if (!polling) onTick(s);
      },
      () => undefined,
    );
    const es = new EventSource('/api/events');
    source = es;
    armWatchdog();
    const onEvent = (event: MessageEvent<string>): void => {
      if (source !== es) return;
      let summary: Summary;
      try {
        summary = JSON.parse(event.data) as Summary;
      } catch {
        return;
      }
      armWatchdog();
      onMode('live');
      onTick(summary);
    };
    es.addEventListener('tick', onEvent);
    // Also unnamed events, in case a server leaves out the "event: tick" line.
    es.addEventListener('message', onEvent);
    es.onerror = () => {
      if (source === es) fallBack();
    };
  };

  document.addEventListener('visibilitychange', () => {
    if (document.hidden) {
      disconnect();
    } else if (polling) {
      if (!pollLoopAlive) void poll();
    } else if (!source) {
      connect();
    }
  });

  if (typeof window.EventSource !== 'function') {
    polling = true;
    void poll();
  } else if (!document.hidden) {
    connect();
  }
}
