// "Bring your own cluster" as a new user meets it: the logs of a real
// failover (tests/real-zk/runs/, ZooKeeper 3.8.0) dropped on the import
// dialog, the imported run in the app's own views (timeline markers, the
// space-time diagram, the event log, the inspector, the diagnosis), then
// replayed in the simulator and replayed again with another syncLimit; at
// 1366x768 and at 1280x720 in presenter mode, measured as a person sees it
// (text sizes, overlaps, on screen without scrolling), with screenshots in
// docs/. Then messy input (a PNG and a truncated log after a good log) and
// 100 MB of logs (progress moves; the longest task is reported, never
// asserted). Run: node --test e2e/ (needs dist/ from `trunk build --release`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, stat } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';

import { openPage, servedBrowser, waitUntil } from './browser.mjs';

const DIST = process.env.ZABLAB_DIST ?? 'dist';
const ctx = servedBrowser(DIST);

const RUN = 'tests/real-zk/runs/kill-leader-after-writes';
/**
 * The app's smallest text: 11 px (its legends and badges, 0.8 em of 14 px;
 * `real-log` asks 11 px of log lines), and in presenter mode 15 px (0.8 em
 * of its 20 px; `presenter` asks 18 px of the cluster view and log lines).
 */
const MIN_PX = { normal: 11, presenter: 15 };

/** The run's files as a user has them: three `zookeeper.log` and a zoo.cfg. */
async function runFiles(dir = RUN) {
  const out = [];
  for (const s of [1, 2, 3]) {
    out.push({ name: 'zookeeper.log', text: await readFile(`${dir}/s${s}/zookeeper.log`, 'latin1') });
  }
  out.push({ name: 'zoo.cfg', text: await readFile(`${dir}/s1/zoo.cfg`, 'latin1') });
  return out;
}

/** Drops `files` ({ name, text | base64, type }) on the import dialog's drop zone. */
async function drop(page, files) {
  const dt = await page.evaluateHandle((files) => {
    const dt = new DataTransfer();
    for (const f of files) {
      const bytes = f.base64
        ? Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))
        : Uint8Array.from(f.text, (c) => c.charCodeAt(0) & 0xff);
      dt.items.add(new File([bytes], f.name, { type: f.type ?? 'text/plain' }));
    }
    return dt;
  }, files);
  await page.locator('[data-testid="drop-zone"]').dispatchEvent('drop', { dataTransfer: dt });
}

async function openImport(page, { presenter = false } = {}) {
  await page.locator('svg.cluster').waitFor({ timeout: 15000 });
  // Presenter mode keeps its bar to one line: the I key opens the dialog.
  if (presenter) await page.keyboard.press('i');
  else await page.getByRole('button', { name: 'Import logs…' }).click();
  await page.locator('[data-testid="import-dialog"]').waitFor();
}

/** Waits for the import to be read (the dialog says so or closes). */
async function imported(page) {
  await waitUntil(
    async () => (await page.locator('[data-testid="imported-stage"]').count()) === 1
      && (await page.locator('[data-testid="import-progress"]').count()) === 0,
    'the imported run on the stage',
    30000,
  );
}

/**
 * What a person sees of the elements matching `sel`: texts smaller than
 * `minPx`, pairs of boxes that overlap, and boxes not wholly on screen.
 */
async function measure(page, sels, minPx) {
  return page.evaluate(({ sels, minPx }) => {
    const problems = [];
    const boxes = [];
    const vw = innerWidth;
    const vh = innerHeight;
    for (const sel of sels) {
      const els = [...document.querySelectorAll(sel)];
      if (els.length === 0) problems.push(`${sel}: not drawn`);
      for (const el of els) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        if (r.left < -0.5 || r.top < -0.5 || r.right > vw + 0.5 || r.bottom > vh + 0.5) {
          problems.push(`${sel} off screen: ${[r.left, r.top, r.right, r.bottom].map(Math.round)}`);
        }
        boxes.push({ sel, r });
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
          const t = walker.currentNode;
          if (!t.textContent.trim() || !t.parentElement.getClientRects().length) continue;
          const px = parseFloat(getComputedStyle(t.parentElement).fontSize);
          if (px < minPx - 0.01) problems.push(`${sel}: "${t.textContent.trim().slice(0, 30)}" at ${px}px`);
        }
      }
    }
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i].r;
        const b = boxes[j].r;
        const inside = (x, y) => x.left >= y.left && x.right <= y.right && x.top >= y.top && x.bottom <= y.bottom;
        if (inside(a, b) || inside(b, a)) continue;
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 1 && h > 1) problems.push(`${boxes[i].sel} overlaps ${boxes[j].sel}`);
      }
    }
    return [...new Set(problems)];
  }, { sels, minPx });
}

/** The scrubber's value (ms after the first line). */
const shownMs = (page) => page.getByRole('slider', { name: 'Timeline' }).evaluate((el) => Number(el.value));

for (const [mode, viewport] of [
  ['1366x768', { width: 1366, height: 768 }],
  ['presenter 1280x720', { width: 1280, height: 720 }],
]) {
  const presenter = mode.startsWith('presenter');
  const minPx = presenter ? MIN_PX.presenter : MIN_PX.normal;
  test(`import, ${mode}: a new user drops a real failover's logs, sees its timeline and diagnosis, replays it, changes syncLimit, replays again`, async (t) => {
    const { page, errors } = await openPage(ctx.browser, ctx.server.url);
    await page.setViewportSize(viewport);
    if (presenter) {
      await page.locator('svg.cluster').waitFor({ timeout: 15000 });
      await page.keyboard.press('p');
      await waitUntil(async () => (await page.locator('.zablab.presenter').count()) === 1, 'presenter mode');
    }
    await openImport(page, { presenter });
    // The promise is on screen before anything is dropped.
    const privacy = page.locator('[data-testid="import-privacy"]');
    assert.match(await privacy.textContent(), /Nothing leaves your browser/);
    assert.deepEqual(await measure(page, ['[data-testid="import-dialog"]'], minPx), []);
    if (!presenter) await page.screenshot({ path: 'docs/import-dialog.png' });

    await drop(page, await runFiles());
    await imported(page);
    // Three servers, each from its own lines, and the markers of the
    // failover: the first leader, the election after the kill, the new one.
    assert.equal(await page.locator('[data-testid="imported-server"]').count(), 3);
    const marks = await page.locator('[data-testid="timeline"] .marker').evaluateAll(
      (els) => els.map((e) => e.getAttribute('aria-label')),
    );
    t.diagnostic(`markers: ${marks.length}: ${marks.slice(0, 6).join(' | ')}`);
    assert.ok(marks.some((m) => /leader 2 established, epoch 1/.test(m)), marks.join('\n'));
    assert.ok(marks.some((m) => /leader 3 established, epoch 2/.test(m)), marks.join('\n'));
    assert.ok(marks.some((m) => /goes LOOKING/.test(m)), marks.join('\n'));
    // A marker is a link to its moment: the new leader's (from the
    // keyboard: the sync it caused is drawn 3 ms before it, on top).
    const newLeader = page.locator('[data-testid="timeline"] .marker.mk-leader').last();
    await newLeader.focus();
    await page.keyboard.press('Enter');
    const at = await shownMs(page);
    assert.ok(at > 5000, `the second leader's moment, ${at} ms`);
    const states = await page.locator('[data-testid="imported-state"]').allTextContents();
    assert.ok(states.some((s) => s.startsWith('LEADING')), states.join(' | '));

    // The event log: the real lines, filtered, each a link to its moment.
    await page.getByRole('tab', { name: /^Log/ }).click();
    await page.locator('[data-testid="log-find"]').fill('Getting a');
    const lines = page.locator('[data-testid="log-lines"] li');
    await waitUntil(async () => (await lines.count()) > 0, 'lines containing "Getting a"');
    for (const text of await lines.allTextContents()) assert.match(text, /Getting a/);
    await lines.last().click();
    assert.ok((await shownMs(page)) < at, 'a line seeks to its moment');

    // The diagnosis names what happened, citing lines.
    await page.getByRole('tab', { name: /^Diagnosis/ }).click();
    const diag = page.locator('[data-testid="imported-diagnosis"]');
    await diag.waitFor();
    await newLeader.focus();
    await page.keyboard.press('Enter');

    const shot = presenter ? 'docs/import-presenter.png' : 'docs/import.png';
    const problems = await measure(page, [
      '[data-testid="imported-stage"]',
      'section.transport',
      '.side',
      'section.diagram',
    ], minPx);
    await page.screenshot({ path: shot });
    assert.deepEqual(problems, [], `${mode}: ${problems.join('\n')}`);

    // Replay: the inferences with their lines, then the simulator with
    // the real run beside it.
    await page.getByRole('button', { name: 'Replay in the simulator…' }).click();
    const plan = page.locator('[data-testid="replay-dialog"]');
    await plan.waitFor();
    const inferences = await plan.locator('[data-testid="inference"]').allTextContents();
    t.diagnostic(`inferences: ${inferences.map((s) => s.replace(/\s+/g, ' ').slice(0, 70)).join(' | ')}`);
    assert.ok(inferences.some((s) => /crash/.test(s)), inferences.join('\n'));
    assert.ok(inferences.some((s) => /^\s*ms\s*start/.test(s)), inferences.join('\n'));
    // Its Replay button is on screen without scrolling (the list scrolls).
    const go = await plan.locator('[data-testid="replay-go"]').boundingBox();
    assert.ok(go && go.y + go.height <= viewport.height, `Replay at ${JSON.stringify(go)}`);
    const planProblems = await measure(page, ['[data-testid="replay-dialog"]'], minPx);
    if (!presenter) await page.screenshot({ path: 'docs/import-replay-plan.png' });
    assert.deepEqual(planProblems, [], planProblems.join('\n'));
    await plan.getByRole('button', { name: 'Replay', exact: true }).click();
    const beside = page.locator('[data-testid="beside"]');
    await beside.waitFor();
    const rows = async () => {
      await waitUntil(async () => (await beside.locator('.hint').count()) === 0, 'the replay computed', 30000);
      return beside.locator('[data-testid="beside-row"]').evaluateAll((trs) => trs.map((tr) => ({
        cells: [...tr.querySelectorAll('th, td')].map((c) => c.textContent.trim()),
        differs: tr.classList.contains('differs'),
      })));
    };
    const first = await rows();
    t.diagnostic(`beside (syncLimit 5): ${first.map((r) => r.cells.join(' / ')).join(' | ')}`);
    const leaders = first.filter((r) => r.cells[0].startsWith('leader'));
    assert.equal(leaders.length, 2, JSON.stringify(first));
    assert.ok(leaders.every((r) => !r.differs), 'the replay elects the real leaders');
    assert.ok(await page.locator('svg.cluster').isVisible(), 'the simulator is shown');
    const replayProblems = await measure(page, ['[data-testid="beside"]', 'section.transport'], minPx);
    await page.screenshot({ path: presenter ? 'docs/import-replay-presenter.png' : 'docs/import-replay.png' });
    assert.deepEqual(replayProblems, [], replayProblems.join('\n'));

    // Another syncLimit, replayed again.
    await beside.locator('[data-testid="replay-sync"]').fill('1');
    await beside.locator('[data-testid="replay-sync"]').press('Tab');
    await beside.getByRole('button', { name: 'Replay again' }).click();
    const again = await rows();
    t.diagnostic(`beside (syncLimit 1): ${again.map((r) => r.cells.join(' / ')).join(' | ')}`);
    assert.equal(await beside.locator('[data-testid="replay-sync"]').inputValue(), '1');
    assert.ok(again.length > 0);
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test('messy input: a PNG and a truncated log dropped after a good log are each said, the good import kept', async () => {
  const { page, errors } = await openPage(ctx.browser, ctx.server.url);
  await page.setViewportSize({ width: 1366, height: 768 });
  await openImport(page);
  const [s1] = await runFiles();
  await drop(page, [s1]);
  await imported(page);
  const good = await page.locator('[data-testid="imported-server"]').count();
  assert.equal(good, 1);
  await page.getByRole('button', { name: 'Import logs…' }).click();
  const png = (await readFile('docs/app.png')).toString('base64');
  const s2 = (await readFile(`${RUN}/s2/zookeeper.log`, 'latin1'));
  const cut = s2.slice(0, Math.floor(s2.length * 0.6));
  await drop(page, [
    { name: 'screenshot.png', base64: png, type: 'image/png' },
    { name: 'zookeeper-2.log', text: cut.slice(0, cut.lastIndexOf('\n') + 40) },
  ]);
  await waitUntil(async () => (await page.locator('[data-testid="import-problem"]').count()) >= 2, 'a message for each bad file', 20000);
  const said = await page.locator('[data-testid="import-problem"]').allTextContents();
  assert.ok(said.some((s) => /screenshot\.png is a binary file/.test(s)), said.join('\n'));
  assert.ok(said.some((s) => /zookeeper-2\.log ends in the middle of a line/.test(s)), said.join('\n'));
  // The good log is still there (and the cut one's lines before the cut).
  const servers = await page.locator('[data-testid="imported-server"]').count();
  assert.ok(servers >= good, `servers after the messy drop: ${servers}`);
  await page.screenshot({ path: 'docs/import-messy.png' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('100 MB of logs: read in slices, the progress bar moves, the longest task is reported', async (t) => {
  const big = 'target/e2e/big-zookeeper.log';
  const one = await readFile(`${RUN}/s1/zookeeper.log`);
  const size = await stat(big).then((s) => s.size).catch(() => 0);
  if (size < 100 * 1024 * 1024) {
    const copies = Math.ceil((100 * 1024 * 1024) / one.length);
    await writeFile(big, Buffer.concat(Array(copies).fill(one)));
  }
  const { page, errors } = await openPage(ctx.browser, ctx.server.url);
  await page.addInitScript(() => {
    window.__longest = 0;
    window.__longTasks = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        window.__longest = Math.max(window.__longest, e.duration);
        window.__longTasks += 1;
      }
    }).observe({ type: 'longtask', buffered: false });
  });
  await page.reload();
  await page.setViewportSize({ width: 1366, height: 768 });
  await openImport(page);
  const started = Date.now();
  await page.locator('[data-testid="import-files"]').setInputFiles(big);
  const seen = new Set();
  const analysed = new Set();
  await waitUntil(async () => {
    const mb = await page.locator('[data-testid="import-mb"]').textContent({ timeout: 200 }).catch(() => null);
    if (mb) seen.add(mb);
    const lines = await page.locator('[data-testid="import-analysing"]').textContent({ timeout: 200 }).catch(() => null);
    if (lines) analysed.add(lines);
    return (await page.locator('[data-testid="import-progress"]').count()) === 0 && seen.size > 0;
  }, 'the 100 MB read', 600000);
  const wall = Date.now() - started;
  const { longest, count } = await page.evaluate(() => ({ longest: window.__longest, count: window.__longTasks }));
  t.diagnostic(`100 MB: ${seen.size} progress readings (${[...seen].slice(0, 3).join(', ')} …), ` +
    `${analysed.size} while analysing (${[...analysed].slice(0, 2).join(', ')} …), ` +
    `${wall} ms on the wall, ${count} long tasks, the longest ${Math.round(longest)} ms (a busy machine: not asserted)`);
  await writeFile('target/e2e/import-100mb.json', JSON.stringify({ readings: seen.size, analysing_readings: analysed.size, wall_ms: wall, long_tasks: count, longest_ms: longest }));
  assert.ok(seen.size >= 5, `the bar moved: ${[...seen].join(', ')}`);
  assert.ok(analysed.size >= 2, `the bar moved while analysing: ${[...analysed].join(', ')}`);
  // Thousands of findings (the failover, repeated): the first 40 are
  // drawn, "Show more" draws more. (The dialog stays open: the repeated
  // log's time goes back, which it says.)
  await page.keyboard.press('Escape');
  await waitUntil(async () => (await page.locator('[data-testid="import-dialog"]').count()) === 0, 'the dialog closed');
  await page.getByRole('tab', { name: /^Diagnosis/ }).click();
  const cards = page.locator('[data-testid="diagnosis"] > ul.findings > li');
  const first = await cards.count();
  const more = page.locator('[data-testid="diag-more"]');
  assert.ok(first > 0 && first <= 40, `cards drawn at first: ${first}`);
  assert.match(await more.textContent(), /Show 200 more \(\d+ not shown yet\)/);
  await more.click();
  await waitUntil(async () => (await cards.count()) > first, 'more findings drawn');
  t.diagnostic(`findings drawn: ${first}, then ${await cards.count()} (${await more.textContent()})`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('100 MB of logs as one .gz: decompressed in the page, the bar counts the log\'s own megabytes', async (t) => {
  const big = 'target/e2e/big-zookeeper.log';
  const gz = 'target/e2e/big-zookeeper.log.gz';
  const plain = await readFile(big);
  if ((await stat(gz).then((s) => s.size).catch(() => 0)) === 0) await writeFile(gz, gzipSync(plain, { level: 1 }));
  const { page, errors } = await openPage(ctx.browser, ctx.server.url);
  await page.setViewportSize({ width: 1366, height: 768 });
  await openImport(page);
  await page.locator('[data-testid="import-files"]').setInputFiles(gz);
  const seen = new Set();
  await waitUntil(async () => {
    const mb = await page.locator('[data-testid="import-mb"]').textContent({ timeout: 200 }).catch(() => null);
    if (mb) seen.add(mb);
    return (await page.locator('[data-testid="import-progress"]').count()) === 0 && seen.size > 0;
  }, 'the .gz read', 600000);
  const done = await page.locator('[data-testid="import-done"]').textContent();
  t.diagnostic(`.gz of ${(await stat(gz)).size} B: ${[...seen].join(' | ')}; then: ${done}`);
  // The bar's total is the log's size, not the .gz's: it never reads past it.
  for (const r of seen) {
    const [, read, of] = r.match(/Reading ([\d.]+) of ([\d.]+) MB/);
    assert.ok(Number(read) <= Number(of) && Number(of) >= 100, r);
  }
  const lines = plain.toString('latin1').split('\n').filter((l) => /^\d{4}-\d\d-\d\d /.test(l)).length;
  assert.match(done, new RegExp(`${lines} lines`), `every line of the log read (${lines})`);
  assert.deepEqual(errors, []);
  await page.close();
});
