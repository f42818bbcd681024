#!/usr/bin/env node
// Browser test of tessera's live dashboard, driven by playwright-core on Debian's chromium.
//
//   TESSERA_DASHBOARD_URL=http://127.0.0.1:8787 node tests/dashboard/dashboard_test.mjs
//   node tests/dashboard/dashboard_test.mjs --mock      # against src/tessera/dashboard/web/mock_server.mjs
//
// Optional: TESSERA_REPORT_FILE (a performance report to check offline), TESSERA_SCREENSHOTS (a
// folder for status.png, workers.png, profile.png, graph.png, report.png), TESSERA_CHROMIUM
// (default /usr/bin/chromium). Every wait gives up after 60 s and the whole script after 175 s;
// it exits 0 only if every check passed.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WEB_DIR = path.resolve(HERE, '..', '..', 'src', 'tessera', 'dashboard', 'web');
const CHROMIUM = process.env.TESSERA_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WAIT_MS = 60_000;
const TOTAL_MS = 175_000;
const VIEWPORT = { width: 1280, height: 900 };

const began = Date.now();
const results = [];
const cleanups = [];
const pageErrors = [];

function log(message) {
  console.log(`[${((Date.now() - began) / 1000).toFixed(1).padStart(5)} s] ${message}`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms);
    }),
  ]);
}

/** Polls probe() until it returns {ok: true, ...}; throws with the last observation otherwise. */
async function waitFor(description, probe, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + Math.min(timeoutMs, WAIT_MS);
  let last;
  for (;;) {
    try {
      last = await withTimeout(probe(), 15_000, 'the page');
      if (last && last.ok) return last;
    } catch (err) {
      last = { error: err.message };
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${description}; last seen: ${JSON.stringify(last).slice(0, 600)}`);
    }
    await sleep(250);
  }
}

function record(name, ok, detail) {
  results.push({ name, ok, detail });
  log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
}

async function check(name, fn) {
  try {
    record(name, true, await fn());
  } catch (err) {
    record(name, false, err && err.message ? err.message : String(err));
  }
}

async function screenshot(page, name) {
  const dir = process.env.TESSERA_SCREENSHOTS;
  if (!dir) return;
  try {
    fs.mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: path.join(dir, name), fullPage: true, timeout: 30_000 });
    log(`screenshot ${path.join(dir, name)}`);
  } catch (err) {
    log(`warning: screenshot ${name} failed: ${err.message}`);
  }
}

async function runCleanups() {
  while (cleanups.length) {
    const fn = cleanups.pop();
    try {
      await withTimeout(Promise.resolve().then(fn), 10_000, 'cleanup');
    } catch (err) {
      log(`warning: ${err.message}`);
    }
  }
}

/** Bundles the page, writes a mock report and starts the mock server on a free port. */
async function startMock() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-dashboard-test-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const esbuild = fs.existsSync('/usr/bin/esbuild') ? '/usr/bin/esbuild' : 'esbuild';
  const build = spawnSync(
    esbuild,
    [path.join(WEB_DIR, 'main.ts'), '--bundle', '--minify', '--format=iife', '--target=es2020', `--outfile=${path.join(dir, 'dashboard.js')}`],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (build.status !== 0) throw new Error(`esbuild failed: ${build.error ? build.error.message : build.stderr}`);
  log(`bundled the page with ${esbuild} into ${dir}`);

  const mock = path.join(WEB_DIR, 'mock_server.mjs');
  const reportFile = path.join(dir, 'report.html');
  const write = spawnSync(process.execPath, [mock, dir, '--write-report', reportFile], { encoding: 'utf8', timeout: 60_000 });
  if (write.status !== 0) throw new Error(`mock_server.mjs --write-report failed: ${write.error ? write.error.message : write.stderr}`);

  const child = spawn(process.execPath, [mock, dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGTERM');
  });
  const url = await withTimeout(
    new Promise((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk) => {
        out += chunk;
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`mock server exited (${code}) before listening: ${out}`)));
      child.on('error', reject);
    }),
    15_000,
    'the mock server',
  );
  log(`mock server (pid ${child.pid}) at ${url}`);
  return { baseUrl: url, reportFile };
}

function watchPage(page, label) {
  page.on('pageerror', (err) => pageErrors.push(`${label}: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') log(`console error on ${label}: ${msg.text()}`);
  });
  page.setDefaultTimeout(WAIT_MS);
  page.setDefaultNavigationTimeout(WAIT_MS);
}

// Runs in the page: the state of the status page in one round trip.
function statusState() {
  const bars = [...document.querySelectorAll('#progress .progress-bar')].map((bar) => ({
    prefix: bar.getAttribute('data-prefix'),
    text: (bar.querySelector('.progress-text')?.textContent ?? '').trim(),
  }));
  const memory = document.getElementById('memory');
  return {
    rects: window.__taskStreamRects ?? 0,
    bars,
    spilled: Number(memory?.getAttribute('data-spilled-bytes') ?? 0),
    maxSpilled: Number(memory?.getAttribute('data-max-spilled-bytes') ?? 0),
    mode: document.getElementById('conn-status')?.getAttribute('data-mode') ?? null,
  };
}

function progressComplete(bars) {
  return (
    bars.length > 0 &&
    bars.every((b) => {
      const m = /^(\d+)\s*\/\s*(\d+)$/.exec(b.text);
      return m !== null && m[1] === m[2];
    })
  );
}

async function hoverTaskStream(page) {
  const canvas = page.locator('#task-stream');
  let lastKey = null;
  for (let attempt = 0; attempt < 12; attempt++) {
    const boxes = await page.evaluate(() => window.__taskStreamBoxes ?? []);
    if (boxes.length === 0) {
      await sleep(250);
      continue;
    }
    // Wide boxes first: they survive the small shifts of a live redraw best.
    const sorted = boxes.slice().sort((a, b) => b.w - a.w);
    const box = sorted[attempt % Math.min(sorted.length, 6)];
    lastKey = box.key;
    await canvas.scrollIntoViewIfNeeded();
    const bb = await canvas.boundingBox();
    if (!bb) throw new Error('canvas#task-stream has no bounding box');
    await page.mouse.move(bb.x + 2, bb.y + bb.height - 2);
    await page.mouse.move(bb.x + box.x + box.w / 2, bb.y + box.y + box.h / 2, { steps: 2 });
    try {
      await page.waitForFunction(
        (key) => {
          const tip = document.getElementById('tooltip');
          return tip !== null && !tip.hidden && getComputedStyle(tip).display !== 'none' && (tip.textContent ?? '').includes(key);
        },
        box.key,
        { timeout: 2_000 },
      );
      return `tooltip shows ${box.key} (box ${box.w.toFixed(1)}×${box.h.toFixed(0)} px, attempt ${attempt + 1})`;
    } catch {
      // The plot may have moved under the mouse; try another box.
    }
  }
  const tip = await page.evaluate(() => document.getElementById('tooltip')?.textContent ?? null);
  throw new Error(`hovering boxes never showed their key in #tooltip (last key ${lastKey}, tooltip text ${JSON.stringify(tip)})`);
}

async function checkStatusPage(context, baseUrl) {
  const page = await context.newPage();
  watchPage(page, '/status');
  let loaded = false;
  await check('1. /status loads and the task stream gains rectangles', async () => {
    const response = await page.goto(`${baseUrl}/status`, { waitUntil: 'load' });
    if (!response || !response.ok()) throw new Error(`GET /status answered ${response ? response.status() : 'nothing'}`);
    loaded = true;
    const s = await waitFor('window.__taskStreamRects > 0', async () => {
      const st = await page.evaluate(statusState);
      return { ok: st.rects > 0, rects: st.rects, mode: st.mode };
    });
    return `${s.rects} rectangles drawn (updates: ${s.mode})`;
  });
  if (!loaded) {
    record('2. hovering a task shows its key in #tooltip', false, 'the page did not load');
    record('3. progress reaches 100 %', false, 'the page did not load');
    record('4. spilled bytes become > 0', false, 'the page did not load');
    await page.close();
    return;
  }

  // Progress and spilling are watched together, so a short spill during the run is not missed.
  let maxSpilled = 0;
  let maxHistorySpilled = 0;
  let last = null;
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    try {
      last = await withTimeout(page.evaluate(statusState), 15_000, 'the page');
      maxSpilled = Math.max(maxSpilled, last.spilled);
      maxHistorySpilled = Math.max(maxHistorySpilled, last.maxSpilled);
      if (progressComplete(last.bars) && maxSpilled > 0) break;
    } catch (err) {
      last = { error: err.message };
    }
    await sleep(200);
  }
  const complete = last && last.bars && progressComplete(last.bars);

  await check('2. hovering a task shows its key in #tooltip', () => hoverTaskStream(page));
  await screenshot(page, 'status.png');

  record(
    '3. progress reaches 100 %',
    Boolean(complete),
    complete
      ? `${last.bars.length} bars, all done: ${last.bars.map((b) => `${b.prefix} ${b.text}`).join(', ')}`
      : `after 60 s: ${JSON.stringify(last && last.bars ? last.bars : last).slice(0, 600)}`,
  );
  if (maxSpilled > 0) record('4. spilled bytes become > 0', true, `#memory data-spilled-bytes reached ${maxSpilled}`);
  else if (maxHistorySpilled > 0)
    record('4. spilled bytes become > 0', true, `not while watched, but the memory history shows ${maxHistorySpilled} spilled bytes (data-max-spilled-bytes)`);
  else record('4. spilled bytes become > 0', false, 'data-spilled-bytes stayed 0 for 60 s and the memory history shows no spilling');
  await page.close();
}

async function checkProfilePage(context, baseUrl) {
  const page = await context.newPage();
  watchPage(page, '/profile');
  await check('5. /profile draws a flame graph with a "tessera" frame', async () => {
    await page.goto(`${baseUrl}/profile`, { waitUntil: 'load' });
    const s = await waitFor('a flame-graph frame whose name contains "tessera"', async () => {
      const st = await page.evaluate(() => ({
        frames: window.__flameFrames ?? [...document.querySelectorAll('#flame-frames li')].map((li) => li.textContent ?? ''),
        options: [...document.querySelectorAll('#prefix-filter option')].map((o) => o.value),
        canvas: Boolean(document.querySelector('canvas#flame-graph')),
      }));
      return { ok: st.canvas && st.frames.some((f) => f.includes('tessera')), ...st, frames: st.frames.slice(0, 12) };
    });
    await screenshot(page, 'profile.png');
    if (!s.options.includes('')) throw new Error(`#prefix-filter has no "all" option: ${JSON.stringify(s.options)}`);
    const prefixes = s.options.filter((o) => o !== '');
    const example = s.frames.find((f) => f.includes('tessera'));
    if (prefixes.length === 0) return `frame ${example}; the server listed no prefixes to filter by`;
    const prefix = prefixes[0];
    await page.selectOption('#prefix-filter', prefix);
    await waitFor(`the profile to be fetched again with prefix=${prefix}`, async () => {
      const q = await page.evaluate(() => window.__flameQuery ?? '');
      const asked = new URLSearchParams(q.slice(q.indexOf('?') + 1)).get('prefix');
      return { ok: asked === prefix, query: q };
    });
    return `frame ${example}; prefix filter refetched for ${prefix} (${prefixes.length} prefixes)`;
  });
  await page.close();
}

async function checkWorkersPage(context, baseUrl) {
  const page = await context.newPage();
  watchPage(page, '/workers');
  await check('6. /workers shows a table row per thread', async () => {
    const response = await withTimeout(fetch(`${baseUrl}/api/summary`), 15_000, '/api/summary');
    if (!response.ok) throw new Error(`/api/summary answered ${response.status}`);
    const { threads } = await response.json();
    await page.goto(`${baseUrl}/workers`, { waitUntil: 'load' });
    const s = await waitFor(`table#workers-table with ${threads} body rows`, async () => {
      const rows = await page.evaluate(() => document.querySelectorAll('table#workers-table tbody tr').length);
      return { ok: rows === threads && threads > 0, rows, threads };
    });
    await screenshot(page, 'workers.png');
    return `${s.rows} rows for ${threads} threads`;
  });
  await page.close();
}

// Runs in the page: node count and painted pixels of a canvas (sampled).
function canvasState(id) {
  const canvas = document.getElementById(id);
  if (!(canvas instanceof HTMLCanvasElement) || canvas.width === 0 || canvas.height === 0) return { painted: 0 };
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 0; i < data.length; i += 4 * 5) {
    if (data[i + 3] > 0 && (data[i] < 235 || data[i + 1] < 235 || data[i + 2] < 235)) painted++;
  }
  return { painted, width: canvas.width, height: canvas.height };
}

async function checkGraphPage(context, baseUrl) {
  const page = await context.newPage();
  watchPage(page, '/graph');
  await check('7. /graph draws the task graph', async () => {
    await page.goto(`${baseUrl}/graph`, { waitUntil: 'load' });
    const s = await waitFor('canvas#task-graph with nodes drawn', async () => {
      const nodes = await page.evaluate(() => window.__graphNodes ?? 0);
      const c = await page.evaluate(canvasState, 'task-graph');
      return { ok: nodes > 0 && c.painted > 20, nodes, ...c };
    });
    await screenshot(page, 'graph.png');
    return `${s.nodes} nodes, ${s.painted} painted pixels sampled`;
  });
  await page.close();
}

async function checkReport(browser, reportFile) {
  await check('8. the performance report works offline', async () => {
    if (!fs.existsSync(reportFile)) throw new Error(`${reportFile} does not exist`);
    const context = await browser.newContext({ viewport: VIEWPORT, offline: true });
    cleanups.push(() => context.close());
    const attempted = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (/^(https?|wss?):/i.test(url)) {
        if (!attempted.includes(url)) attempted.push(url);
        return route.abort();
      }
      return route.continue();
    });
    const page = await context.newPage();
    watchPage(page, 'report');
    // Anything beyond the report file itself (and inline data: URLs) is a load the report must not need.
    const reportUrl = pathToFileURL(path.resolve(reportFile)).href;
    page.on('request', (request) => {
      const url = request.url();
      if (url !== reportUrl && !url.startsWith('data:') && !attempted.includes(url)) attempted.push(url);
    });
    await page.goto(reportUrl, { waitUntil: 'load' });
    const s = await waitFor('task stream rectangles, progress bars and flame-graph frames in the report', async () => {
      const st = await page.evaluate(() => ({
        rects: window.__taskStreamRects ?? 0,
        bars: document.querySelectorAll('#progress .progress-bar').length,
        frames: (window.__flameFrames ?? []).length,
        samples: window.__flameSamples ?? 0,
        tessera: (window.__flameFrames ?? []).some((f) => f.includes('tessera')),
        mode: document.getElementById('conn-status')?.getAttribute('data-mode') ?? null,
        memory: Boolean(document.getElementById('memory')),
      }));
      return { ok: st.rects > 0 && st.bars > 0 && st.frames > 0 && st.memory, ...st };
    });
    await screenshot(page, 'report.png');
    if (attempted.length) throw new Error(`the report tried to load ${attempted.slice(0, 5).join(', ')}`);
    if (s.samples <= 0) {
      throw new Error(
        `the report's flame graph is empty (profile.samples = 0, ${s.frames} frame name drawn); ` +
          'the task stream and progress rendered, so the report was written without profile samples',
      );
    }
    return `${s.rects} rectangles, ${s.bars} progress bars, flame graph of ${s.samples} samples with ${s.frames} frame names${
      s.tessera ? ' (incl. tessera)' : ''
    }, no requests beyond the file`;
  });
}

async function checkPollingFallback(context, baseUrl) {
  const page = await context.newPage();
  watchPage(page, '/status without EventSource');
  await check('9. without EventSource the page polls and still updates', async () => {
    await page.addInitScript(() => {
      Object.defineProperty(window, 'EventSource', { value: undefined, configurable: true, writable: true });
    });
    await page.goto(`${baseUrl}/status`, { waitUntil: 'load' });
    const s = await waitFor('polling mode with task-stream rectangles', async () => {
      const st = await page.evaluate(statusState);
      return { ok: st.mode === 'polling' && st.rects > 0, mode: st.mode, rects: st.rects };
    });
    return `${s.rects} rectangles while polling`;
  });
  await page.close();
}

async function main() {
  const mock = process.argv.includes('--mock');
  let baseUrl = process.env.TESSERA_DASHBOARD_URL;
  let reportFile = process.env.TESSERA_REPORT_FILE || null;
  if (mock) ({ baseUrl, reportFile } = await startMock());
  if (!baseUrl) {
    console.error('dashboard test: set TESSERA_DASHBOARD_URL (e.g. http://127.0.0.1:8787) or pass --mock');
    return 2;
  }
  baseUrl = baseUrl.replace(/\/+$/, '');
  if (!fs.existsSync(CHROMIUM)) {
    console.error(`dashboard test: ${CHROMIUM} not found (apt-get install -y chromium)`);
    return 2;
  }
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (err) {
    console.error(`dashboard test: cannot load playwright-core (run npm ci in ${HERE}): ${err.message}`);
    return 2;
  }

  log(`dashboard ${baseUrl}${reportFile ? `, report ${reportFile}` : ''}`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: WAIT_MS });
  cleanups.push(() => browser.close());
  const context = await browser.newContext({ viewport: VIEWPORT });

  await checkStatusPage(context, baseUrl);
  await checkProfilePage(context, baseUrl);
  await checkWorkersPage(context, baseUrl);
  await checkGraphPage(context, baseUrl);
  if (reportFile) await checkReport(browser, reportFile);
  else log('skip 8. performance report (TESSERA_REPORT_FILE not set)');
  await checkPollingFallback(context, baseUrl);
  record('10. no uncaught errors in the pages', pageErrors.length === 0, pageErrors.slice(0, 5).join(' | '));

  const failed = results.filter((r) => !r.ok);
  for (const r of failed) console.log(`FAILED: ${r.name}: ${r.detail}`);
  console.log(`dashboard: ${results.length - failed.length} passed, ${failed.length} failed`);
  return failed.length ? 1 : 0;
}

const watchdog = setTimeout(() => {
  console.error(`dashboard test: FAIL: still running after ${TOTAL_MS / 1000} s, giving up`);
  for (const r of results) console.error(`  ${r.ok ? 'passed' : 'FAILED'}: ${r.name}`);
  runCleanups().finally(() => process.exit(2));
  setTimeout(() => process.exit(2), 5_000).unref();
}, TOTAL_MS);

main()
  .catch((err) => {
    console.error(`dashboard test: FAIL: ${err && err.stack ? err.stack : err}`);
    return 1;
  })
  .then(async (code) => {
    clearTimeout(watchdog);
    await runCleanups();
    process.exit(code);
  });
