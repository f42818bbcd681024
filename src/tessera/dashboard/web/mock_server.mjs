#!/usr/bin/env node
// A stand-in for tessera's dashboard server: serves the page and simulated data in the server's
// JSON format, for developing the page and for the browser test's self-check. No dependencies.
//
//   node mock_server.mjs [BUNDLE_DIR] [--port 8787] [--host 127.0.0.1] [--threads 2]
//                        [--partitions 24] [--speed 1] [--tasks N] [--group-above 10000]
//                        [--no-sse] [--write-report FILE]
//
// BUNDLE_DIR holds dashboard.js (and optionally style.css); without it the page is bundled with
// esbuild into a temporary folder. The simulated run starts one second after launch and finishes
// after about ten seconds (at --speed 1): a small DAG of read-csv / assign / sort_values /
// sum-chunk / sum-aggregate / validate tasks on --threads threads, scheduled breadth-first so the
// read-csv outputs overflow the memory limit and spill. --tasks N instead simulates N tiny
// independent tasks (for testing the page with a huge history; try --tasks 1000000 --speed 40).
// --write-report FILE writes a performance report of the finished run and exits.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB_DIR = path.dirname(fileURLToPath(import.meta.url));
const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

function parseArgs(argv) {
  const opts = {
    bundleDir: null,
    port: 8787,
    host: '127.0.0.1',
    threads: 2,
    partitions: 24,
    speed: 1,
    tasks: 0,
    groupAbove: 10000,
    sse: true,
    writeReport: null,
  };
  const numeric = { '--port': 'port', '--threads': 'threads', '--partitions': 'partitions', '--speed': 'speed', '--tasks': 'tasks', '--group-above': 'groupAbove' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a in numeric) {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v)) throw new Error(`${a} needs a number`);
      opts[numeric[a]] = v;
    } else if (a === '--host') opts.host = argv[++i];
    else if (a === '--no-sse') opts.sse = false;
    else if (a === '--write-report') opts.writeReport = argv[++i];
    else if (a === '--help' || a === '-h') {
      console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 15).join('\n'));
      process.exit(0);
    } else if (!a.startsWith('--') && !opts.bundleDir) opts.bundleDir = a;
    else throw new Error(`unknown argument ${a}`);
  }
  if (opts.threads < 1) throw new Error('--threads must be at least 1');
  return opts;
}

/** Deterministic random numbers (mulberry32), so every run of the mock looks the same. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Call stacks the simulated profiler sees while a task of each prefix runs: [frames, weight].
const STACKS = {
  'read-csv': [
    [['tessera::io::ReadCsvBlock', 'tessera::io::CsvTokenizer::Tokenize'], 0.42],
    [['tessera::io::ReadCsvBlock', 'tessera::io::ParseFloat64Column', 'tessera::io::ParseDouble'], 0.28],
    [['tessera::io::ReadCsvBlock', 'tessera::io::ParseTimestampColumn', 'tessera::base::ParseTimestamp'], 0.22],
    [['tessera::io::ReadCsvBlock', 'read'], 0.08],
  ],
  assign: [
    [['tessera::compute::Arithmetic', 'tessera::compute::AddFloat64'], 0.7],
    [['tessera::table::Table::SetColumn', 'memcpy'], 0.3],
  ],
  sort_values: [
    [['tessera::compute::SortIndices', 'std::__introsort_loop', 'tessera::compute::CompareKeys'], 0.62],
    [['tessera::compute::SortIndices', 'std::__insertion_sort'], 0.13],
    [['tessera::compute::Take', 'tessera::compute::TakeFloat64'], 0.25],
  ],
  'sum-chunk': [[['tessera::compute::Sum', 'tessera::compute::SumFloat64'], 1]],
  'sum-aggregate': [[['tessera::compute::Sum', 'tessera::compute::SumFloat64'], 0.6], [['tessera::table::Concat'], 0.4]],
  validate: [[['tessera::compute::IsSorted'], 0.8], [['tessera::base::Error::Raise'], 0.2]],
  'read-parquet': [[['tessera::io::ReadParquetRowGroup', 'tessera::io::DecodePlain'], 1]],
  filter: [[['tessera::compute::Filter', 'tessera::compute::CompareFloat64'], 1]],
  'groupby-chunk': [[['tessera::compute::GroupBy::Consume', 'tessera::compute::HashInt64'], 1]],
  'shuffle-split': [[['tessera::compute::Partition', 'tessera::compute::HashInt64'], 1]],
  merge: [[['tessera::compute::HashJoin::Probe'], 1]],
};
const WORKER_FRAMES = ['tessera::sched::Worker::Run', 'tessera::sched::Worker::Execute'];
const SAMPLE_HZ = 100;

const hex4 = (s) => {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0').slice(0, 4);
};

/** Builds the small DAG and a breadth-first list schedule on `threads` threads. */
function dagTasks(opts) {
  const rand = rng(42);
  const between = (lo, hi) => lo + (hi - lo) * rand();
  const tasks = [];
  const add = (prefix, index, deps, dur, bytes, status = 'ok') => {
    const name = `${prefix}-${hex4(prefix)}`;
    tasks.push({ key: `('${name}', ${index})`, label: `${name} ${index}`, prefix, deps, dependents: [], dur, bytes, status });
    return tasks.length - 1;
  };
  const P = Math.max(4, Math.floor(opts.partitions));
  const chunks = [];
  const sorts = [];
  for (let i = 0; i < P; i++) {
    const read = add('read-csv', i, [], between(0.28, 0.42), Math.round(between(96, 128) * MiB));
    const assign = add('assign', i, [read], between(0.06, 0.12), Math.round(tasks[read].bytes * 1.05));
    sorts.push(add('sort_values', i, [assign], between(0.16, 0.26), tasks[assign].bytes));
    chunks.push(add('sum-chunk', i, [assign], between(0.02, 0.04), 8 * KiB));
  }
  const aggs = [];
  for (let j = 0; j * 4 < P; j++) aggs.push(add('sum-aggregate', j, chunks.slice(4 * j, 4 * j + 4), 0.01, 8 * KiB));
  add('sum-aggregate', aggs.length, aggs, 0.01, 8);
  sorts.forEach((s, i) => add('validate', i, [s], between(0.015, 0.03), KiB, i === 7 ? 'error' : 'ok'));

  tasks.forEach((t, i) => t.deps.forEach((d) => tasks[d].dependents.push(i)));
  // Breadth-first priority (by depth) keeps many outputs alive at once, which forces spilling.
  const depth = tasks.map(() => 0);
  tasks.forEach((t, i) => t.deps.forEach((d) => (depth[i] = Math.max(depth[i], depth[d] + 1))));

  const START = 1.0;
  const free = new Array(opts.threads).fill(START);
  const missing = tasks.map((t) => t.deps.length);
  const pending = [];
  tasks.forEach((t, i) => {
    if (missing[i] === 0) pending.push({ i, readyAt: START });
  });
  let scheduled = 0;
  while (scheduled < tasks.length) {
    let w = 0;
    for (let k = 1; k < free.length; k++) if (free[k] < free[w]) w = k;
    const t = free[w];
    // Of the tasks ready by t, the shallowest (then the oldest); if none is ready, the first to be.
    let pick = -1;
    for (let k = 0; k < pending.length; k++) {
      const c = pending[k];
      if (c.readyAt > t) continue;
      const p = pick < 0 ? null : pending[pick];
      if (!p || depth[c.i] < depth[p.i] || (depth[c.i] === depth[p.i] && c.i < p.i)) pick = k;
    }
    if (pick < 0) {
      for (let k = 0; k < pending.length; k++) if (pick < 0 || pending[k].readyAt < pending[pick].readyAt) pick = k;
    }
    const { i, readyAt } = pending.splice(pick, 1)[0];
    const task = tasks[i];
    task.worker = w;
    task.start = Math.max(t, readyAt) + 0.0015;
    task.stop = task.start + task.dur;
    free[w] = task.stop;
    scheduled++;
    for (const d of task.dependents) {
      if (--missing[d] === 0) pending.push({ i: d, readyAt: Math.max(...tasks[d].deps.map((x) => tasks[x].stop)) });
    }
  }
  for (const t of tasks) {
    t.kind = 'task';
    t.releaseAt = t.dependents.length ? Math.max(...t.dependents.map((d) => tasks[d].stop)) : Infinity;
  }
  return tasks;
}

/** N independent tiny tasks in a few prefixes, for a huge task-stream history. */
function manyTasks(opts) {
  const rand = rng(7);
  const prefixes = ['read-parquet', 'filter', 'groupby-chunk', 'shuffle-split', 'merge'];
  const names = prefixes.map((p) => `${p}-${hex4(p)}`);
  const clock = new Array(opts.threads).fill(1.0);
  const tasks = new Array(opts.tasks);
  for (let i = 0; i < opts.tasks; i++) {
    const w = i % opts.threads;
    const p = Math.floor((i / opts.tasks) * prefixes.length * 3) % prefixes.length;
    const start = clock[w] + 0.0002 * rand();
    const dur = 0.0005 - Math.log(1 - rand()) * 0.0015;
    clock[w] = start + dur;
    tasks[i] = {
      key: `('${names[p]}', ${i})`,
      label: `${names[p]} ${i}`,
      prefix: prefixes[p],
      deps: [],
      dependents: [],
      worker: w,
      start,
      stop: start + dur,
      bytes: Math.round(64 * KiB * (1 + rand())),
      status: rand() < 1e-5 ? 'error' : 'ok',
      kind: 'task',
      releaseAt: p === prefixes.length - 1 ? Infinity : start + dur + 0.05,
    };
  }
  return tasks;
}

function lowerBoundBy(arr, value, field) {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid][field] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

class Simulation {
  constructor(opts) {
    this.opts = opts;
    this.threads = opts.threads;
    this.big = opts.tasks > 0;
    this.tasks = this.big ? manyTasks(opts) : dagTasks(opts);
    this.limit = this.big ? 8 * GiB : 3 * GiB;
    this.extra = []; // spill / read-back entries
    this.memEvents = []; // {t, w, dm, ds}
    if (!this.big) this.simulateMemory();
    this.stream = this.tasks.concat(this.extra).sort((a, b) => a.stop - b.stop);
    this.end = this.stream.reduce((m, t) => Math.max(m, t.stop), 0);
    this.prefixes = [...new Set(this.tasks.map((t) => t.prefix))];
  }

  /** Sweeps outputs over time: created at stop, released after the last dependent, spilled when
   * managed memory passes 60 % of the limit and read back when a dependent starts. */
  simulateMemory() {
    const HIGH = 0.6 * this.limit;
    const LOW = 0.4 * this.limit;
    const SPILL_RATE = 800 * MiB;
    const READ_RATE = 1200 * MiB;
    const events = [];
    this.tasks.forEach((t, i) => {
      if (t.status === 'error') return;
      events.push({ t: t.stop, type: 2, i });
      if (Number.isFinite(t.releaseAt)) events.push({ t: t.releaseAt, type: 0, i });
      for (const d of t.dependents) events.push({ t: this.tasks[d].start, type: 1, i });
    });
    events.sort((a, b) => a.t - b.t || a.type - b.type);
    const inMemory = new Map(); // insertion order = age
    const onDisk = new Set();
    let managed = 0;
    let ioFree = 0;
    const change = (t, i, dm, ds) => this.memEvents.push({ t, w: this.tasks[i].worker, dm, ds });
    const spillIfNeeded = (t) => {
      if (managed <= HIGH) return;
      for (const [i, bytes] of inMemory) {
        if (managed <= LOW) break;
        const task = this.tasks[i];
        const start = Math.max(t, ioFree);
        const stop = start + bytes / SPILL_RATE;
        ioFree = stop;
        this.extra.push({ key: task.key, prefix: task.prefix, worker: -1, start, stop, bytes, status: 'ok', kind: 'spill' });
        inMemory.delete(i);
        onDisk.add(i);
        managed -= bytes;
        change(t, i, -bytes, bytes);
      }
    };
    for (const e of events) {
      const task = this.tasks[e.i];
      if (e.type === 2) {
        inMemory.set(e.i, task.bytes);
        managed += task.bytes;
        change(e.t, e.i, task.bytes, 0);
        spillIfNeeded(e.t);
      } else if (e.type === 1 && onDisk.has(e.i)) {
        const dur = task.bytes / READ_RATE;
        this.extra.push({ key: task.key, prefix: task.prefix, worker: -1, start: e.t - dur, stop: e.t, bytes: task.bytes, status: 'ok', kind: 'read-back' });
        onDisk.delete(e.i);
        inMemory.set(e.i, task.bytes);
        managed += task.bytes;
        change(e.t, e.i, task.bytes, -task.bytes);
        spillIfNeeded(e.t);
      } else if (e.type === 0) {
        if (inMemory.has(e.i)) {
          inMemory.delete(e.i);
          managed -= task.bytes;
          change(e.t, e.i, -task.bytes, 0);
        } else if (onDisk.has(e.i)) {
          onDisk.delete(e.i);
          change(e.t, e.i, 0, -task.bytes);
        }
      }
    }
    this.memEvents.sort((a, b) => a.t - b.t);
  }

  stateAt(t, now) {
    if (t.stop <= now) return t.status === 'error' ? 'erred' : t.releaseAt <= now ? 'released' : 'memory';
    return t.start <= now ? 'processing' : 'waiting';
  }

  summary(now) {
    const done = this.tasks.reduce((n, t) => n + (t.stop <= now ? 1 : 0), 0);
    return { threads: this.threads, memory_limit: this.limit, now, tasks_total: this.tasks.length, tasks_done: done, report: false };
  }

  taskStream(since, now) {
    const from = lowerBoundBy(this.stream, since, 'stop');
    const to = lowerBoundBy(this.stream, now, 'stop');
    const tasks = [];
    for (let k = from; k < to; k++) {
      const e = this.stream[k];
      tasks.push({ key: e.key, prefix: e.prefix, worker: e.worker, start: e.start, stop: e.stop, bytes: e.bytes, status: e.status, kind: e.kind });
    }
    return { now, tasks };
  }

  progress(now) {
    const byPrefix = new Map();
    for (const t of this.tasks) {
      let p = byPrefix.get(t.prefix);
      if (!p) byPrefix.set(t.prefix, (p = { prefix: t.prefix, total: 0, waiting: 0, processing: 0, memory: 0, released: 0, erred: 0 }));
      p.total++;
      p[this.stateAt(t, now)]++;
    }
    return { prefixes: [...byPrefix.values()] };
  }

  unmanaged(t) {
    return Math.round(150 * MiB + 30 * MiB * (1 + Math.sin(t * 1.7)));
  }

  memoryTotals(now) {
    if (this.big) {
      const frac = Math.min(1, Math.max(0, now / this.end));
      return { managed: Math.round(this.limit * 0.5 * frac), spilled: Math.round(this.limit * 0.1 * frac) };
    }
    let managed = 0;
    let spilled = 0;
    for (const e of this.memEvents) {
      if (e.t > now) break;
      managed += e.dm;
      spilled += e.ds;
    }
    return { managed, spilled };
  }

  memory(now) {
    const { managed, spilled } = this.memoryTotals(now);
    const unmanaged = this.unmanaged(now);
    const history = [];
    const step = Math.max(0.2, now / 400);
    for (let t = 0; t <= now; t += step) {
      const m = this.memoryTotals(t);
      history.push({ t: Number(t.toFixed(3)), managed: m.managed, spilled: m.spilled, rss: m.managed + this.unmanaged(t) });
    }
    const maxSpilled = history.reduce((m, h) => Math.max(m, h.spilled), spilled);
    return { limit: this.limit, managed, unmanaged, spilled, max_spilled: maxSpilled, rss: managed + unmanaged, history };
  }

  workers(now) {
    const ws = Array.from({ length: this.threads }, (_, w) => ({ name: `thread-${w}`, threads: 1, cpu: 0, processing: 0, done: 0, memory: 0, spilled: 0 }));
    for (const t of this.tasks) {
      const w = ws[t.worker];
      if (t.stop <= now) w.done++;
      else if (t.start <= now) w.processing++;
      const busy = Math.min(now, t.stop) - Math.max(now - 1, t.start);
      if (busy > 0) w.cpu += busy * 100;
    }
    if (this.big) {
      const { managed, spilled } = this.memoryTotals(now);
      for (const w of ws) {
        w.memory = Math.round(managed / this.threads);
        w.spilled = Math.round(spilled / this.threads);
      }
    } else {
      for (const e of this.memEvents) {
        if (e.t > now) break;
        ws[e.w].memory += e.dm;
        ws[e.w].spilled += e.ds;
      }
    }
    for (const w of ws) w.cpu = Math.min(100, Math.round(w.cpu * 10) / 10);
    return { workers: ws };
  }

  profile(prefix, start, stop, now) {
    const hi = Math.min(stop, now);
    const root = { name: 'all', self: 0, kids: new Map() };
    const addPath = (frames, amount) => {
      let node = root;
      for (const name of frames) {
        let next = node.kids.get(name);
        if (!next) node.kids.set(name, (next = { name, self: 0, kids: new Map() }));
        node = next;
      }
      node.self += amount;
    };
    const seen = new Set();
    for (const t of this.tasks) {
      const overlap = Math.min(hi, t.stop) - Math.max(start, t.start);
      if (overlap <= 0) continue;
      seen.add(t.prefix);
      if (prefix && t.prefix !== prefix) continue;
      const samples = overlap * SAMPLE_HZ;
      for (const [frames, weight] of STACKS[t.prefix] ?? [[['tessera::sched::RunTask'], 1]]) {
        addPath([...WORKER_FRAMES, ...frames], samples * weight * 0.97);
      }
      addPath([...WORKER_FRAMES, 'tessera::sched::Worker::FinishTask'], samples * 0.03);
    }
    const finish = (node) => {
      const children = [...node.kids.values()].map(finish).filter((c) => c.value > 0);
      const value = Math.round(node.self) + children.reduce((s, c) => s + c.value, 0);
      return children.length ? { name: node.name, value, children } : { name: node.name, value };
    };
    const tree = finish(root);
    return { samples: tree.value, prefixes: this.prefixes.filter((p) => seen.has(p)), root: tree };
  }

  graph(now) {
    const grouped = this.tasks.length > this.opts.groupAbove;
    if (!grouped) {
      const nodes = this.tasks.map((t) => ({ id: t.key, label: t.label, prefix: t.prefix, state: this.stateAt(t, now), count: 1 }));
      const edges = [];
      for (const t of this.tasks) for (const d of t.deps) edges.push([this.tasks[d].key, t.key]);
      return { grouped, nodes, edges };
    }
    const groups = new Map();
    for (const t of this.tasks) {
      let g = groups.get(t.prefix);
      if (!g) groups.set(t.prefix, (g = { count: 0, states: {} }));
      g.count++;
      const s = this.stateAt(t, now);
      g.states[s] = (g.states[s] ?? 0) + 1;
    }
    const nodes = [...groups].map(([prefix, g]) => ({
      id: prefix,
      label: prefix,
      prefix,
      state: Object.entries(g.states).sort((a, b) => b[1] - a[1])[0][0],
      count: g.count,
    }));
    const edges = new Set();
    for (const t of this.tasks) for (const d of t.deps) if (this.tasks[d].prefix !== t.prefix) edges.add(`${this.tasks[d].prefix}\n${t.prefix}`);
    if (this.big) for (let k = 1; k < nodes.length; k++) edges.add(`${nodes[k - 1].id}\n${nodes[k].id}`);
    return { grouped, nodes, edges: [...edges].map((e) => e.split('\n')) };
  }

  report() {
    const now = this.end + 0.5;
    return {
      summary: { ...this.summary(now), report: true },
      taskStream: this.taskStream(0, now),
      progress: this.progress(now),
      memory: this.memory(now),
      workers: this.workers(now),
      profile: this.profile('', 0, now, now),
      graph: this.graph(now),
    };
  }
}

function ensureBundle(opts) {
  if (opts.bundleDir) {
    const js = path.join(opts.bundleDir, 'dashboard.js');
    if (!fs.existsSync(js)) throw new Error(`${js} does not exist`);
    return opts.bundleDir;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-dashboard-'));
  execFileSync('esbuild', [path.join(WEB_DIR, 'main.ts'), '--bundle', '--minify', '--format=iife', '--target=es2020', `--outfile=${path.join(dir, 'dashboard.js')}`], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return dir;
}

function readStatic(bundleDir, name) {
  const inBundle = path.join(bundleDir, name);
  return fs.readFileSync(fs.existsSync(inBundle) ? inBundle : path.join(WEB_DIR, name));
}

/** The page with its CSS and script inlined and the data in window.TESSERA_REPORT. */
function reportHtml(bundleDir, data) {
  const page = fs.readFileSync(path.join(WEB_DIR, 'index.html'), 'utf8');
  const css = readStatic(bundleDir, 'style.css').toString('utf8');
  const js = readStatic(bundleDir, 'dashboard.js').toString('utf8').replace(/<\/script/gi, '<\\/script');
  // "<" escaped so no string in the data can close the script element.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const link = '<link rel="stylesheet" href="/static/style.css">';
  const script = '<script src="/static/dashboard.js"></script>';
  if (!page.includes(link) || !page.includes(script)) throw new Error('index.html lacks the expected <link> / <script> tags');
  return page
    .replace(link, () => `<style>\n${css}\n</style>`)
    .replace(script, () => `<script>window.TESSERA_REPORT = ${json};</script>\n<script>\n${js}\n</script>`);
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const sim = new Simulation(opts);
  const bundleDir = ensureBundle(opts);

  if (opts.writeReport) {
    fs.writeFileSync(opts.writeReport, reportHtml(bundleDir, sim.report()));
    console.log(`mock dashboard: wrote report ${opts.writeReport}`);
    return;
  }

  const started = Date.now();
  const now = () => ((Date.now() - started) / 1000) * opts.speed;
  const page = fs.readFileSync(path.join(WEB_DIR, 'index.html'));
  const send = (res, status, type, body) => {
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
    res.end(body);
  };
  const json = (res, value) => send(res, 200, 'application/json', JSON.stringify(value));
  const num = (v, fallback) => (v === null || v === '' || !Number.isFinite(Number(v)) ? fallback : Number(v));

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://mock');
    const q = url.searchParams;
    const t = now();
    try {
      switch (url.pathname) {
        case '/':
          res.writeHead(302, { Location: '/status' });
          return res.end();
        case '/status':
        case '/workers':
        case '/profile':
        case '/graph':
          return send(res, 200, 'text/html; charset=utf-8', page);
        case '/static/dashboard.js':
          return send(res, 200, 'text/javascript; charset=utf-8', readStatic(bundleDir, 'dashboard.js'));
        case '/static/style.css':
          return send(res, 200, 'text/css; charset=utf-8', readStatic(bundleDir, 'style.css'));
        case '/api/summary':
          return json(res, sim.summary(t));
        case '/api/task-stream':
          return json(res, sim.taskStream(num(q.get('since'), 0), t));
        case '/api/progress':
          return json(res, sim.progress(t));
        case '/api/memory':
          return json(res, sim.memory(t));
        case '/api/workers':
          return json(res, sim.workers(t));
        case '/api/profile':
          return json(res, sim.profile(q.get('prefix') ?? '', num(q.get('start'), 0), num(q.get('stop'), t), t));
        case '/api/graph':
          return json(res, sim.graph(t));
        case '/api/events': {
          if (!opts.sse) return send(res, 404, 'text/plain', 'no event stream in this mock\n');
          res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
          const tick = () => res.write(`event: tick\ndata: ${JSON.stringify(sim.summary(now()))}\n\n`);
          tick();
          const timer = setInterval(tick, 200);
          req.on('close', () => clearInterval(timer));
          return undefined;
        }
        default:
          return send(res, 404, 'text/plain', 'not found\n');
      }
    } catch (err) {
      return send(res, 500, 'text/plain', `${err && err.stack ? err.stack : err}\n`);
    }
  });
  server.listen(opts.port, opts.host, () => {
    const { port } = server.address();
    console.log(`mock dashboard: listening on http://${opts.host}:${port} (${sim.tasks.length} tasks, run ends at t=${sim.end.toFixed(2)} s)`);
  });
  const stop = () => {
    server.close();
    server.closeAllConnections?.();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

try {
  main();
} catch (err) {
  console.error(`mock dashboard: ${err.message}`);
  process.exit(1);
}
