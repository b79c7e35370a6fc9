// The browser half of the benchmark (`scripts/bench` runs it after
// `zablab bench`): the release build in dist/, served on 127.0.0.1, in
// headless Chromium (the e2e launch flags), measured as a user meets it.
// Not a test: nothing here fails on a slow number; `node --test e2e/` never
// sees this file.
//
//   node bench/browser.mjs [--native FILE] [--out bench/results.md]
//                          [--json FILE] [--only a,b,…] [--heap-minutes N]
//                          [--memory-minutes N] [--memory-runs idle51,looped]
//                          [--memory-seeks recent,anywhere]
//   node bench/browser.mjs --from-json A[,B…] [--native FILE] [--out bench/results.md]
//
// Sections (--only picks some): sim, first, frames, seek, heap, memory,
// size.
// - sim: `?bench-sim=` (web/src/bench.rs) runs bench-1h.json in wasm, no
//   rendering, as `zablab bench` does natively; same trace hash = same work.
// - first: time to first frame of a fresh page (first contentful paint:
//   the page is empty until the app draws), median of 5 cold loads.
// - frames: the app plays frames-5srv.json (~100 messages in flight) and
//   frames-51srv.json (9 voters + 42 observers, ~1000 in flight) at 1x for
//   10 s under Chromium's tracing; the work of each animation frame is the
//   main thread's `ProxyMain::BeginMainFrame` task (requestAnimationFrame
//   callbacks, so the simulation and Yew's render, then style, layout,
//   paint and commit); a dropped frame is a vsync (16.7 ms) that passed
//   without a new main-thread frame.
// - seek: the app opens bench-1h.json at its end (computing the hour with
//   its checkpoints), then the timeline is set to 40 seeded random moments;
//   each seek is timed from the input event to the first animation frame
//   that shows the moment.
// - heap: frames-5srv.json played at 25x (the preset speed nearest 16x from
//   above) for N minutes (default 10) of page time on Playwright's virtual
//   clock (rAF, timers and performance.now run as fast as the CPU allows;
//   each frame still simulates wall_dt x speed), JS heap after a forced GC
//   (CDP Runtime.getHeapUsage) and the wasm memory every minute.
// - memory: two long runs at 100x, each N minutes (default 30) of page time
//   on Playwright's virtual clock: (i) 9 voters + 42 observers, idle (the
//   ensemble of frames-51srv.json, its start only); (ii) the benchmark hour
//   looped (`looped` in e2e/looped.mjs: bench-1h.json's faults every hour, one load for
//   the whole run). Each opens from a share link at 6 s and plays; every
//   minute the wasm memory and the JS heap after a forced GC. Then the run
//   is paused and the timeline set to 20 seeded moments of the last 10
//   virtual minutes and 20 anywhere: each seek timed in wall ms from the
//   input to the frame that shows it (the virtual clock stands still while
//   the page computes, so a seek is done in one frame; Playwright's round
//   trips are included). A run that fails (the 4 GB wasm32 ceiling) keeps
//   its curve up to the failure and says so. Takes about an hour or more of
//   real time on 2 cores.
// - size: gzip -9 bytes of the wasm and JS the page loads.
import { readFile, writeFile, readdir } from 'node:fs/promises';
import { execSync } from 'node:child_process';
import { deflateSync } from 'node:zlib';
import os from 'node:os';

import { serveDist } from '../e2e/serve-dist.mjs';
import { launch } from '../e2e/browser.mjs';
import { looped } from '../e2e/looped.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const DIST = process.env.ZABLAB_DIST ?? 'dist';
const only = opt('--only', 'sim,first,frames,seek,heap,memory,size').split(',');
const heapMinutes = Number(opt('--heap-minutes', '10'));
const memoryMinutes = Number(opt('--memory-minutes', '30'));
const memoryRuns = opt('--memory-runs', 'idle51,looped').split(',');
// Which seeks follow a memory run: those to anywhere in a 50-hour run
// replay hours each (minutes of wall time), so a curve alone can skip them.
const memorySeeks = opt('--memory-seeks', 'recent,anywhere').split(',');
const SCEN = 'static/scenarios/bench';

const quantile = (v, q) => {
  if (!v.length) return NaN;
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length, Math.max(1, Math.ceil(s.length * q))) - 1];
};
const r1 = (x) => Math.round(x * 10) / 10;
const log = (...a) => console.error('[bench]', ...a);

/** `name: value unit` lines of `zablab bench` as { name: [value, unit] }. */
async function readNative(file) {
  if (!file) return {};
  const out = {};
  for (const l of (await readFile(file, 'utf8')).split('\n')) {
    const m = l.match(/^([a-z0-9_]+): (\S+)(?: (.*))?$/);
    if (m) out[m[1]] = [m[2], m[3] ?? ''];
  }
  return out;
}

async function newPage(browser, viewport = { width: 1400, height: 980 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return { context, page, errors };
}

const timeText = (page) => page.locator('[data-testid="time"]').first().textContent();
const fmtMs = (ms) => `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')} s`;

/** Opens the app and imports a scenario file (the app opens it at its end). */
async function openScenario(page, url, file, endMs, timeout) {
  await page.goto(url);
  await page.locator('svg.cluster').waitFor({ timeout: 30000 });
  await page.locator('[data-testid="import"]').setInputFiles(file);
  await page.waitForFunction(
    (want) => document.querySelector('[data-testid="time"]')?.textContent === want,
    fmtMs(endMs), { timeout, polling: 250 });
}

async function benchSim(browser, url) {
  const { context, page, errors } = await newPage(browser);
  await page.goto(`${url}?bench-sim=scenarios/bench/bench-1h.json`);
  await page.locator('#bench-sim').waitFor({ timeout: 15 * 60 * 1000 });
  // The object web/src/bench.rs hands over (serde-wasm-bindgen).
  const r = await page.evaluate(() => window.zablabBenchSim);
  await context.close();
  if (!r || r.error) throw new Error(`bench-sim: ${r ? r.error : 'no result'}`);
  if (errors.length) throw new Error(`bench-sim: ${errors.join('; ')}`);
  return { events: r.events, ms: r.ms, trace: r.trace, memory_mb: r.memory_mb };
}

async function benchFirstFrame(browser, url) {
  const fcp = [];
  for (let i = 0; i < 5; i++) {
    const { context, page } = await newPage(browser);
    await page.goto(url);
    await page.locator('svg.cluster g.server').first().waitFor({ timeout: 30000 });
    const t = await page.evaluate(() => new Promise((ok) => {
      const find = () => performance.getEntriesByName('first-contentful-paint')[0];
      const e = find();
      if (e) return ok(e.startTime);
      new PerformanceObserver((l) => ok(l.getEntries()[0].startTime)).observe({ type: 'paint', buffered: true });
    }));
    fcp.push(t);
    await context.close();
  }
  return { first_frame_ms: quantile(fcp, 0.5), first_frame_max_ms: Math.max(...fcp) };
}

/** Records Chromium's trace while `during()` runs; returns its events. */
async function traced(page, during) {
  const cdp = await page.context().newCDPSession(page);
  const events = [];
  cdp.on('Tracing.dataCollected', (e) => { for (const x of e.value) events.push(x); });
  const complete = new Promise((ok) => cdp.once('Tracing.tracingComplete', ok));
  await cdp.send('Tracing.start', {
    categories: 'devtools.timeline,disabled-by-default-devtools.timeline,disabled-by-default-devtools.timeline.frame,cc,benchmark',
    transferMode: 'ReportEvents',
  });
  const t0 = Date.now();
  const extra = await during();
  await cdp.send('Tracing.end');
  await complete;
  await cdp.detach();
  return { events, extra, wall_ms: Date.now() - t0 };
}

/** Work per animation frame and dropped frames, from a trace. */
function frameStats(events) {
  const mains = new Map();
  for (const e of events) {
    if (e.name === 'BeginMainThreadFrame') mains.set(`${e.pid}:${e.tid}`, (mains.get(`${e.pid}:${e.tid}`) ?? 0) + 1);
  }
  const [key] = [...mains.entries()].sort((a, b) => b[1] - a[1])[0] ?? [];
  const main = events.filter((e) => `${e.pid}:${e.tid}` === key);
  const frames = main.filter((e) => e.name === 'ProxyMain::BeginMainFrame' && e.ph === 'X' && e.dur != null);
  const work = frames.map((e) => e.dur / 1000);
  const sum = (name) => main.filter((e) => e.name === name && e.ph === 'X' && e.dur != null)
    .reduce((s, e) => s + e.dur / 1000, 0);
  const starts = main.filter((e) => e.name === 'BeginMainThreadFrame').map((e) => e.ts / 1000).sort((a, b) => a - b);
  // Skip the first and last second (play/pause clicks, the trace's edges).
  const lo = starts[0] + 1000;
  const hi = starts[starts.length - 1] - 1000;
  const inside = starts.filter((t) => t >= lo && t <= hi);
  let dropped = 0;
  for (let i = 1; i < inside.length; i++) {
    dropped += Math.max(0, Math.round((inside[i] - inside[i - 1]) / (1000 / 60)) - 1);
  }
  const n = frames.length || 1;
  return {
    frames: frames.length,
    work_p50_ms: quantile(work, 0.5),
    work_p95_ms: quantile(work, 0.95),
    work_max_ms: Math.max(...work),
    script_ms_per_frame: sum('FireAnimationFrame') / n,
    style_ms_per_frame: sum('UpdateLayoutTree') / n,
    layout_ms_per_frame: sum('Layout') / n,
    paint_ms_per_frame: (sum('PrePaint') + sum('Paint') + sum('Layerize') + sum('Commit')) / n,
    dropped_share: dropped / Math.max(1, dropped + inside.length - 1),
  };
}

async function benchFrames(browser, url, file, seconds = 10) {
  const { context, page, errors } = await newPage(browser);
  await openScenario(page, url, file, 6000, 120000);
  // For experiments: what a frame costs without a part of the page.
  if (process.env.BENCH_CSS) await page.addStyleTag({ content: process.env.BENCH_CSS });
  await page.getByRole('combobox', { name: 'Speed' }).selectOption('1');
  const { events, extra } = await traced(page, async () => {
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    const inFlight = [];
    for (let i = 0; i < seconds; i++) {
      await page.waitForTimeout(1000);
      // Dots drawn: an element each, or (while playing with many) a
      // circle per `M` of the batched paths (web/src/layout.rs batch_path),
      // or (with very many) on the canvas layer, which counts them
      // (web/src/ui/cluster/dots.rs).
      inFlight.push(await page.evaluate(() => document.querySelectorAll('svg.cluster g.msg').length
        + [...document.querySelectorAll('svg.cluster path.msg-batch')].reduce((n, p) => n + (p.getAttribute('d').match(/M/g) ?? []).length, 0)
        + Number(document.querySelector('svg.cluster canvas.cluster-dots')?.dataset.dots ?? 0)));
    }
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    return { inFlight, app: await page.locator('[data-testid="frame-stats"]').textContent() };
  });
  await context.close();
  if (errors.length) throw new Error(`${file}: ${errors.join('; ')}`);
  return { ...frameStats(events), in_flight: quantile(extra.inFlight, 0.5), app_frame_stats: extra.app };
}

async function benchSeek(browser, url, count = 40) {
  const { context, page, errors } = await newPage(browser);
  const t0 = Date.now();
  await openScenario(page, url, `${SCEN}/bench-1h.json`, 3_600_000, 20 * 60 * 1000);
  const computeS = (Date.now() - t0) / 1000;
  // Seeded moments (xorshift32), the same every run.
  let x = 2463534242;
  const moments = [];
  for (let i = 0; i < count; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    moments.push(x % 3_600_000);
  }
  const ms = [];
  for (const t of moments) {
    ms.push(await page.evaluate((t) => new Promise((ok) => {
      const want = `${Math.floor(t / 1000)}.${String(t % 1000).padStart(3, '0')} s`;
      const slider = document.querySelector('input[type="range"][aria-label="Timeline"]')
        ?? document.querySelector('input[type="range"]');
      const start = performance.now();
      slider.value = String(t);
      slider.dispatchEvent(new Event('input', { bubbles: true }));
      const check = () => {
        if (document.querySelector('[data-testid="time"]')?.textContent === want) ok(performance.now() - start);
        else requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    }), t));
  }
  await context.close();
  if (errors.length) throw new Error(`seek: ${errors.join('; ')}`);
  return { seek_p50_ms: quantile(ms, 0.5), seek_p95_ms: quantile(ms, 0.95), seek_max_ms: Math.max(...ms), app_compute_1h_s: computeS };
}

async function benchHeap(browser, url, minutes) {
  const { context, page, errors } = await newPage(browser);
  await page.addInitScript(() => {
    addEventListener('TrunkApplicationStarted', (e) => { window.__wasm = e.detail.wasm; });
  });
  await page.clock.install();
  await page.goto(url);
  const advance = async (ms) => page.clock.runFor(ms);
  // Let the app load and draw (the clock only moves when we move it).
  for (let i = 0; i < 200 && !(await page.locator('svg.cluster').count()); i++) await advance(100);
  await page.locator('[data-testid="import"]').setInputFiles(`${SCEN}/frames-5srv.json`);
  for (let i = 0; i < 600 && (await timeText(page)) !== '6.000 s'; i++) await advance(100);
  await page.getByRole('combobox', { name: 'Speed' }).selectOption('25');
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  const cdp = await context.newCDPSession(page);
  const sample = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const h = await cdp.send('Runtime.getHeapUsage');
    const wasm = await page.evaluate(() => window.__wasm?.memory?.buffer?.byteLength ?? 0);
    return { js_mb: h.usedSize / 2 ** 20, wasm_mb: wasm / 2 ** 20, time: await timeText(page) };
  };
  const samples = [];
  for (let m = 1; m <= minutes; m++) {
    await advance(60_000);
    samples.push(await sample());
    log(`heap minute ${m}: ${JSON.stringify(samples.at(-1))}`);
  }
  await context.close();
  if (errors.length) throw new Error(`heap: ${errors.join('; ')}`);
  return { minutes, samples };
}

/** The share-link fragment of a scenario shown at `tMs` (web/src/share.rs, version 2). */
function shareFragment(json, tMs) {
  const data = Buffer.concat([Buffer.from([2]), deflateSync(Buffer.from(json), { level: 9 })]);
  return `s=${data.toString('base64url')}&t=${tMs}`;
}

/** The ensemble of frames-51srv.json (9 voters, 42 observers), started and left idle. */
function idle(base) {
  return { ...base, name: 'Memory: nine voters, 42 observers, idle', actions: base.actions.filter((a) => a.do === 'start') };
}

/** Seeded moments in [lo, hi] (xorshift32, the same every run). */
function moments(lo, hi, count, seed) {
  let x = seed >>> 0;
  const out = [];
  for (let i = 0; i < count; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out.push(lo + (x % Math.max(1, hi - lo)));
  }
  return out;
}

/**
 * One long run at 100x on the virtual clock (see the module doc, memory):
 * the per-minute curve and the seek times.
 */
async function benchMemory(browser, url, label, scenario, minutes) {
  const { context, page, errors } = await newPage(browser);
  await page.addInitScript(() => {
    addEventListener('TrunkApplicationStarted', (e) => { window.__wasm = e.detail.wasm; });
  });
  await page.clock.install();
  await page.goto(`${url}#${shareFragment(JSON.stringify(scenario), 6000)}`);
  const advance = async (ms) => page.clock.runFor(ms);
  for (let i = 0; i < 600 && (await timeText(page).catch(() => null)) !== '6.000 s'; i++) await advance(100);
  await page.getByRole('combobox', { name: 'Speed' }).selectOption('100');
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  const cdp = await context.newCDPSession(page);
  const vtime = async () => {
    const t = await timeText(page);
    const m = t && t.match(/^(\d+)\.(\d{3}) s$/);
    return m ? Number(m[1]) * 1000 + Number(m[2]) : NaN;
  };
  const samples = [];
  let failed = null;
  const t0 = Date.now();
  for (let m = 1; m <= minutes; m++) {
    try {
      await advance(60_000);
      await cdp.send('HeapProfiler.collectGarbage');
      const h = await cdp.send('Runtime.getHeapUsage');
      const wasm = await page.evaluate(() => window.__wasm?.memory?.buffer?.byteLength ?? 0);
      samples.push({ minute: m, wasm_mb: wasm / 2 ** 20, js_mb: h.usedSize / 2 ** 20, virtual_ms: await vtime(), wall_s: (Date.now() - t0) / 1000 });
      log(`memory ${label} minute ${m}: ${JSON.stringify(samples.at(-1))}`);
    } catch (e) {
      failed = `minute ${m}: ${String(e).split('\n')[0]}`;
    }
    if (!failed && errors.length) failed = `minute ${m}: ${errors[0].split('\n')[0]}`;
    if (failed) { log(`memory ${label} failed at ${failed}`); break; }
  }
  let seeks = null;
  let seekFailed = null;
  if (!failed) try {
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await advance(100);
    const end = await vtime();
    const seekOnce = async (t) => {
      const want = fmtMs(t);
      const started = Date.now();
      await page.evaluate((t) => {
        const slider = document.querySelector('input[type="range"][aria-label="Timeline"]')
          ?? document.querySelector('input[type="range"]');
        slider.value = String(t);
        slider.dispatchEvent(new Event('input', { bubbles: true }));
      }, t);
      for (let i = 0; i < 100000 && (await timeText(page)) !== want; i++) await advance(16);
      return Date.now() - started;
    };
    const recent = [];
    const recentAt = memorySeeks.includes('recent') ? moments(Math.max(6000, end - 600_000), end, 20, 2463534242) : [];
    for (const t of recentAt) recent.push(await seekOnce(t));
    const anywhere = [];
    for (const t of memorySeeks.includes('anywhere') ? moments(6000, end, 20, 88675123) : []) {
      anywhere.push({ t, ms: await seekOnce(t) });
      log(`memory ${label} seek to ${fmtMs(t)}: ${anywhere.at(-1).ms} ms`);
    }
    const any = anywhere.map((s) => s.ms);
    seeks = {
      end_ms: end,
      recent_p50_ms: quantile(recent, 0.5), recent_p95_ms: quantile(recent, 0.95), recent_max_ms: Math.max(...recent),
      any_p50_ms: quantile(any, 0.5), any_p95_ms: quantile(any, 0.95), any_max_ms: Math.max(...any),
      anywhere,
    };
    log(`memory ${label} seeks: ${JSON.stringify({ ...seeks, anywhere: undefined })}`);
  } catch (e) {
    // The minutes stand; the seeks are reported as failed, with why.
    seekFailed = String(e).split('\n')[0];
    log(`memory ${label} seeks failed: ${seekFailed}`);
  }
  await context.close();
  const last = samples.slice(-11);
  const slope = last.length > 1 ? (last.at(-1).wasm_mb - last[0].wasm_mb) / (last.length - 1) : NaN;
  return { label, minutes, samples, failed, seeks, seek_failed: seekFailed, slope_mb_per_min: slope, peak_mb: Math.max(0, ...samples.map((s) => s.wasm_mb)) };
}

async function benchSize() {
  const files = (await readdir(DIST)).filter((f) => f.endsWith('.wasm') || f.endsWith('.js'));
  let raw = 0;
  let gz = 0;
  const each = {};
  for (const f of files) {
    const b = await readFile(`${DIST}/${f}`);
    // GNU gzip, as `scripts/test release` reports it (node's zlib differs by ~1 %).
    const g = Number(execSync(`gzip -9 -c '${DIST}/${f}' | wc -c`, { encoding: 'utf8' }).trim());
    raw += b.length;
    gz += g;
    each[f.endsWith('.wasm') ? 'wasm' : 'js'] = { raw: b.length, gz: g };
  }
  return { raw, gz, each };
}

function machine(browserVersion) {
  const sh = (c) => { try { return execSync(c, { encoding: 'utf8' }).trim(); } catch { return '?'; } };
  return {
    cpu: `${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}`,
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    rustc: sh('rustc --version'),
    chromium: browserVersion,
    node: process.version,
    commit: sh('git rev-parse --short HEAD') + (sh('git status --porcelain --untracked-files=no') ? ' (dirty)' : ''),
    date: new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC',
  };
}

function markdown(m, native, r, loads) {
  const n = (k) => (native[k] ? Number(native[k][0]) : NaN);
  const rows = [];
  // A figure not measured in this run (n/a) is neither met nor missed.
  const row = (what, value, goal, ok) => rows.push(`| ${what} | ${value} | ${goal} | ${ok === undefined || String(value).startsWith('n/a') ? '' : ok ? 'met' : '**missed**'} |`);
  const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  const simS = n('sim_1h_5srv_200wps_s');
  row('1 h of virtual time, 5 servers, 200 writes/s, a fault every 5 min (native)', `${fmt(simS, 2)} s (${fmt(n('sim_1h_events') / 1e6, 2)} M events)`, '≤ 2.5 s', simS <= 2.5);
  row('events per second (native)', `${fmt(n('events_per_s') / 1e6, 2)} M/s`, '', undefined);
  row('bare heap loop, same events and queue, same process', `${fmt(n('baseline_heap_loop_s'), 2)} s`, '', undefined);
  row('simulation ÷ heap loop', `${fmt(n('overhead_vs_heap_loop'))}×`, '≤ 5×', n('overhead_vs_heap_loop') <= 5);
  row('fuzz seeds per second, one core', fmt(n('fuzz_seeds_per_s')), '', undefined);
  row('memory of the 1 h run (RSS, native)', `${fmt(n('sim_1h_rss_mb'), 0)} MB`, '', undefined);
  if (r.sim) {
    const ratio = r.sim.ms / 1000 / simS;
    row('1 h in wasm (Chromium, no rendering)', `${fmt(r.sim.ms / 1000, 2)} s (${fmt(r.sim.events / r.sim.ms / 1000, 2)} M events/s)`, '', undefined);
    row('wasm ÷ native, same run (trace ' + (r.sim.trace === native.sim_1h_trace?.[0] ? 'identical' : `**differs**: ${r.sim.trace}`) + ')', `${fmt(ratio, 2)}×`, '≤ 1.5×', ratio <= 1.5);
  }
  row('app: compute the hour with checkpoints (native)', `${fmt(n('engine_1h_compute_s'), 2)} s, ${native.engine_1h_checkpoints?.[0] ?? '?'} checkpoints, ${fmt(n('engine_1h_rss_mb'), 0)} MB`, '', undefined);
  row('seek p95 to random moments of the hour (native, app policy)', `${fmt(n('seek_1h_p95_ms'))} ms (p50 ${fmt(n('seek_1h_p50_ms'))}, max ${fmt(n('seek_1h_max_ms'))})`, '≤ 50 ms', n('seek_1h_p95_ms') <= 50);
  row('one checkpoint of 5 servers at 1 h (clone)', `${fmt(n('clone_checkpoint_us'), 0)} µs`, '', undefined);
  if (native.memory_hours) {
    const h = native.memory_hours[0];
    row(`app's engine over ${h} virtual hours at 200 writes/s (native, the benchmark hour looped): RSS at the end (peak)`, `${fmt(n('engine_long_rss_mb'), 0)} MB (${fmt(n('engine_long_peak_rss_mb'), 0)} MB; by hour: ${native.engine_rss_by_hour_mb?.[0] ?? '?'})`, '≤ 400 MB', n('engine_long_peak_rss_mb') <= 400);
    row(`seek after those ${h} h (native, app policy): last 10 minutes / anywhere, p95`, `${fmt(n('seek_recent_p95_ms'))} / ${fmt(n('seek_any_p95_ms'))} ms, ${fmt(n('seek_recent_p95_events'), 0)} / ${fmt(n('seek_any_p95_events'), 0)} events replayed (max ${fmt(n('seek_recent_max_ms'))} / ${fmt(n('seek_any_max_ms'))} ms; costliest by age ${native.seek_by_age_max_events?.[0] ?? '?'} events)`, '', undefined);
  }
  if (r.seek) row('seek p95 in the app (input → frame showing it)', `${fmt(r.seek.seek_p95_ms)} ms (p50 ${fmt(r.seek.seek_p50_ms)}, max ${fmt(r.seek.seek_max_ms)})`, '≤ 50 ms', r.seek.seek_p95_ms <= 50);
  for (const [k, label, goal, dropGoal] of [['a', '(a) 5 servers', 10, 0], ['b', '(b) 9 voters + 42 observers', 16, 5]]) {
    const f = r.frames?.[k];
    if (!f) continue;
    row(`work per frame ${label}, ~${f.in_flight} messages drawn: p50 / p95 / max`, `${fmt(f.work_p50_ms)} / ${fmt(f.work_p95_ms)} / ${fmt(f.work_max_ms)} ms (script ${fmt(f.script_ms_per_frame)}, style ${fmt(f.style_ms_per_frame)}, layout ${fmt(f.layout_ms_per_frame)}, paint+commit ${fmt(f.paint_ms_per_frame)} ms per frame)`, `p95 ≤ ${goal} ms`, f.work_p95_ms <= goal);
    row(`dropped frames ${label}`, `${fmt(f.dropped_share * 100)} % of vsyncs`, dropGoal ? `≤ ${dropGoal} %` : '0', f.dropped_share * 100 <= dropGoal);
  }
  if (r.first) row('time to first frame (first contentful paint, cold, median of 5)', `${fmt(r.first.first_frame_ms, 0)} ms (max ${fmt(r.first.first_frame_max_ms, 0)})`, '', undefined);
  if (r.heap) {
    const s = r.heap.samples;
    const a = s[0];
    const b = s.at(-1);
    row(`JS heap after a forced GC, minute 1 → ${r.heap.minutes} at 25× (virtual clock)`, `${fmt(a.js_mb)} → ${fmt(b.js_mb)} MB`, 'flat', b.js_mb <= a.js_mb * 1.1 + 1);
    // The wasm memory holds the simulation and its checkpoints (it never
    // shrinks, so it shows the peak): the part that grows with virtual time.
    const perMin = (b.wasm_mb - a.wasm_mb) / Math.max(1, s.length - 1);
    row(`wasm memory, minute 1 → ${r.heap.minutes} at 25×`, `${fmt(a.wasm_mb, 0)} → ${fmt(b.wasm_mb, 0)} MB (+${fmt(perMin, 0)} MB per minute)`, 'flat', b.wasm_mb <= a.wasm_mb * 1.1 + 16);
  }
  for (const [k, what] of [['idle51', '9 voters + 42 observers, idle'], ['looped', 'the benchmark hour looped']]) {
    const x = r.memory?.[k];
    if (!x) continue;
    const at = x.samples.length;
    const end = x.samples.at(-1);
    const value = x.failed
      ? `**failed** at ${x.failed} (${fmt(end?.wasm_mb ?? NaN, 0)} MB at minute ${at})`
      : `${fmt(end.wasm_mb, 0)} MB (+${fmt(x.slope_mb_per_min)} MB per minute over the last 10)`;
    row(`wasm memory after ${x.minutes} min at 100× (virtual clock), ${what}`, value, '≤ 300 MB, ≤ 1 MB per minute', !x.failed && end.wasm_mb <= 300 && x.slope_mb_per_min <= 1);
    if (x.seek_failed) row('seek after that run', `**failed**: ${x.seek_failed}`, '', undefined);
    // A run whose seeks were stopped (rebuilt from its log): what it did.
    if (x.seek_note) row('seek after that run', x.seek_note, '', undefined);
    if (x.seeks) {
      row(`seek after that run (input → frame, ${fmt(x.seeks.end_ms / 3_600_000)} h computed): last 10 minutes / anywhere, p95`, `${fmt(x.seeks.recent_p95_ms, 0)} / ${fmt(x.seeks.any_p95_ms, 0)} ms (max ${fmt(x.seeks.recent_max_ms, 0)} / ${fmt(x.seeks.any_max_ms, 0)})`, '', undefined);
    }
  }
  if (native.import_mb_per_s) {
    row(`import real ZooKeeper logs (native, the real runs' logs repeated to ${fmt(n('import_input_mb'), 0)} MiB, ${fmt(n('import_lines') / 1000, 0)} k lines)`, `${fmt(n('import_mb_per_s'))} MiB/s (${fmt(n('import_s'), 2)} s; leaders and syncs derived in ${fmt(n('import_summary_s'), 3)} s)`, '', undefined);
  }
  if (r.size) row('wasm + js, gzip -9', `${fmt(r.size.gz / 1000)} KB (wasm ${fmt(r.size.each.wasm.gz / 1000)} KB, js ${fmt(r.size.each.js.gz / 1000)} KB)`, '≤ 420 KB', r.size.gz <= 420_000);
  return `# ZabLab benchmark results

Written by \`scripts/bench\` (see the README, "Benchmarks"); do not edit by hand.
Ratios are measured in one run of one command, so a loaded machine gives
slower numbers but honest ratios.${r.memory || native.memory_hours ? `
The memory rows come from the run's second phase, where the native
24-hour run and the browser memory runs ran side by side after the timed
rows: MB do not depend on the load, their seek times do (slower than alone).` : ''}

- machine: ${m.cpu}, ${m.memory_gb} GB, ${m.os}
- load average (1/5/15 min) before: ${loads.before}, after: ${loads.after}
- ${m.rustc}; ${m.chromium}; node ${m.node}
- commit ${m.commit}, ${m.date}${r.memory_from ? `
- memory rows of another commit than the timed ones, joined with
  \`browser.mjs --from-json\`: ${r.memory_from}` : ''}

| figure | value | goal | |
|---|---|---|---|
${rows.join('\n')}

${memoryCurves(r.memory)}
How each figure is taken: \`src/bench.rs\` (native) and \`bench/browser.mjs\`
(browser), in their module comments.
`;
}

/** The memory runs' wasm memory per minute, one column per run (MB). */
function memoryCurves(memory) {
  if (!memory) return '';
  const runs = Object.values(memory);
  const minutes = Math.max(...runs.map((x) => x.samples.length));
  const lines = [];
  for (let m = 0; m < minutes; m++) {
    const cells = runs.map((x) => {
      const s = x.samples[m];
      return s ? `${s.wasm_mb.toFixed(0)} (${(s.virtual_ms / 3_600_000).toFixed(1)} h)` : '';
    });
    lines.push(`| ${m + 1} | ${cells.join(' | ')} |`);
  }
  return `
Wasm memory per minute at 100× in MB (virtual hours reached):

| minute | ${runs.map((x) => x.label).join(' | ')} |
|---|${runs.map(() => '---|').join('')}
${lines.join('\n')}
`;
}

// --from-json A[,B…]: write the table from saved --json outputs (the same
// measurements; for a change in how the table reads, or to join the timed
// phase and the memory runs that scripts/bench runs as separate processes).
// Later files add to earlier ones (memory runs key by key); --native FILE
// adds `zablab bench` lines (the native memory run's). Memory runs of
// another commit than the last file's are named in the header: to rerun
// the timed phase alone, list its JSON first and last
// (`--from-json timed.json,memory-idle51.json,memory-looped.json,timed.json`).
const fromJson = opt('--from-json');
if (fromJson) {
  const parts = await Promise.all(fromJson.split(',').map(async (f) => JSON.parse(await readFile(f, 'utf8'))));
  const saved = Object.assign({}, ...parts);
  saved.memory = Object.assign({}, ...parts.map((p) => p.memory ?? {}));
  if (!Object.keys(saved.memory).length) delete saved.memory;
  saved.native = Object.assign({}, ...parts.map((p) => p.native ?? {}), await readNative(opt('--native')));
  saved.loads = { before: parts[0].loads?.before ?? '?', after: parts.at(-1).loads?.after ?? '?' };
  // Memory runs of another commit than the table's (the timed phase rerun
  // alone): say which.
  const memoryFrom = [...new Set(parts.filter((p) => p.memory && p.machine)
    .filter((p) => p.machine.commit !== saved.machine?.commit)
    .map((p) => `the ${Object.keys(p.memory).join(' and ')} run on commit ${p.machine.commit}, ${p.machine.date}`))];
  if (memoryFrom.length) saved.memory_from = memoryFrom.join('; ');
  const md = markdown(saved.machine, saved.native, saved, saved.loads);
  const out = opt('--out');
  if (out) await writeFile(out, md);
  process.stdout.write(md);
  process.exit(0);
}

const loads = { before: os.loadavg().map((x) => x.toFixed(2)).join(' ') };
const native = await readNative(opt('--native'));
const server = await serveDist(DIST);
const browser = await launch();
const results = {};
try {
  if (only.includes('sim')) { log('wasm simulation of the hour…'); results.sim = await benchSim(browser, server.url); log(results.sim); }
  if (only.includes('first')) { log('first frame…'); results.first = await benchFirstFrame(browser, server.url); log(results.first); }
  if (only.includes('frames')) {
    log('frames (a)…');
    results.frames = { a: await benchFrames(browser, server.url, `${SCEN}/frames-5srv.json`) };
    log(results.frames.a);
    log('frames (b)…');
    results.frames.b = await benchFrames(browser, server.url, `${SCEN}/frames-51srv.json`);
    log(results.frames.b);
  }
  if (only.includes('seek')) { log('seek in the app…'); results.seek = await benchSeek(browser, server.url); log(results.seek); }
  if (only.includes('heap')) { log(`heap over ${heapMinutes} min…`); results.heap = await benchHeap(browser, server.url, heapMinutes); }
  if (only.includes('memory')) {
    const base51 = JSON.parse(await readFile(`${SCEN}/frames-51srv.json`, 'utf8'));
    const base1h = JSON.parse(await readFile(`${SCEN}/bench-1h.json`, 'utf8'));
    log(`memory over ${memoryMinutes} min at 100x…`);
    results.memory = {};
    if (memoryRuns.includes('idle51')) {
      results.memory.idle51 = await benchMemory(browser, server.url, 'idle51', idle(base51), memoryMinutes);
    }
    if (memoryRuns.includes('looped')) {
      const hours = Math.ceil(memoryMinutes * 100 / 60) + 10;
      results.memory.looped = await benchMemory(browser, server.url, 'looped', looped(base1h, hours), memoryMinutes);
    }
  }
  if (only.includes('size')) { results.size = await benchSize(); log(results.size); }
} finally {
  loads.after = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  results.machine = machine(browser.version());
  await browser.close();
  await server.close();
}
const json = opt('--json');
if (json) await writeFile(json, JSON.stringify({ native, ...results, loads }, null, 2));
const out = opt('--out');
const md = markdown(results.machine, native, results, loads);
if (out) await writeFile(out, md);
process.stdout.write(md);
