// The cluster view as the back of a classroom sees it, in the built page
// (dist/): during the election of a new 3-, 5- and 9-server ensemble, at
// 1366x768 and in presenter mode at 1280x720, over frames sampled by
// scrubbing and while playing:
// - every drawn text is at least 12 px on screen (18 px in presenter
//   mode), measured from the rendered size (cluster-measure.mjs);
// - no text overlaps another text or a server circle, and the text in a
//   circle stays inside it;
// - a circle's radius is at least twice the labels' type size, and the
//   rings around two servers (their halos) keep a gap;
// - every LOOKING server shows its vote (for whom, peerEpoch, zxid, round);
// - messages carry ZooKeeper's full names (no NEWL/LINFO/PROP);
// - each server is keyboard-focusable with a visible focus ring, and its
//   accessible name contains its visible text.
// Screenshots of an election in progress go to docs/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';

import { openPage, servedBrowser, waitUntil } from './browser.mjs';
import { circleProblems, measureCluster, problems } from './cluster-measure.mjs';

const DIST = process.env.ZABLAB_DIST ?? 'dist';
const ctx = servedBrowser(DIST);

const time = (page) => page.locator('[data-testid="time"]').first().textContent();
const ABBREVIATIONS = ['NEWL', 'LINFO', 'FINFO', 'OINFO', 'ACKE', 'UPTD', 'PROP', 'REQ'];

async function scrubTo(page, ms) {
  await page.getByRole('slider', { name: 'Timeline' }).evaluate((el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, ms);
  await waitUntil(async () => (await time(page)) === `${(ms / 1000).toFixed(3)} s`, `${ms} ms`);
}

async function newEnsemble(page, voters) {
  await page.getByRole('button', { name: 'New ensemble…' }).click();
  await page.getByLabel('Voters (3–9)').fill(String(voters));
  await page.getByLabel('Voters (3–9)').dispatchEvent('change');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await waitUntil(async () => (await time(page)) === '0.000 s', 'the new run at 0 ms');
  await page.locator('.notice .dismiss').click().catch(() => {});
}

/** Opens a benchmark scenario file at `size` (it opens at its end, 6 s) and plays it at 1x. */
async function playBenchFile(file, size) {
  const opened = await openPage(ctx.browser, ctx.server.url);
  const { page } = opened;
  await page.setViewportSize(size);
  await page.locator('svg.cluster').waitFor({ timeout: 15000 });
  await page.locator('[data-testid="import"]').setInputFiles(`static/scenarios/bench/${file}`);
  await page.waitForFunction(() => document.querySelector('[data-testid="time"]')?.textContent === '6.000 s', null, { timeout: 60000 });
  await page.getByRole('combobox', { name: 'Speed' }).selectOption('1');
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await page.waitForTimeout(1500);
  return opened;
}

const leaderCount = (page) => page.locator('[data-testid^="leader-"]').count();

/**
 * Each LOOKING server's vote text, by sid, read in one go (while playing,
 * reading the states and then the votes one locator at a time could see
 * two different frames).
 */
async function lookingVotes(page, n) {
  return page.evaluate((n) => {
    const out = {};
    for (let sid = 1; sid <= n; sid++) {
      const state = document.querySelector(`[data-testid="server-${sid}-state"]`)?.textContent;
      if (state !== 'LOOKING') continue;
      out[sid] = document.querySelector(`[data-testid="server-${sid}-vote"]`)?.textContent ?? '';
    }
    return out;
  }, n);
}

/**
 * Samples the election of a new `n`-server ensemble: frames every `step`
 * ms from 5 ms until 150 ms after a leader is crowned (at most 40), then
 * a few frames while playing at 0.1×. Checks each, and returns what it
 * saw for the report.
 */
async function sampleElection(page, n, minPx, tag) {
  await newEnsemble(page, n);
  const seen = { frames: 0, problems: [], minPx: Infinity, texts: 0, votesMissing: [], abbreviations: [], names: new Set() };
  const check = async (label) => {
    const m = await measureCluster(page);
    seen.frames += 1;
    seen.texts += m.texts.length;
    for (const t of m.texts) {
      seen.minPx = Math.min(seen.minPx, t.px);
      for (const w of t.text.split(/[\s·×]+/)) {
        if (ABBREVIATIONS.includes(w)) seen.abbreviations.push(`${label}: "${t.text}"`);
        if (/^[A-Z]{4,}$/.test(w)) seen.names.add(w);
      }
    }
    for (const p of problems(m, minPx)) seen.problems.push(`${label}: ${p}`);
    for (const p of circleProblems(m)) seen.problems.push(`${label}: ${p}`);
    for (const [sid, text] of Object.entries(await lookingVotes(page, n))) {
      if (!/→\s*\d/.test(text) || !/e\s*\d+/.test(text) || !/0x[0-9a-f]+/.test(text) || !/r\s*\d+/.test(text)) {
        seen.votesMissing.push(`${label}: server ${sid} LOOKING shows ${JSON.stringify(text)}`);
      }
    }
  };
  let crowned = null;
  for (let ms = 5; ms <= 2000 && seen.frames < 40; ms += n <= 3 ? 15 : 20) {
    await scrubTo(page, ms);
    await check(`${tag} ${n} servers at ${ms} ms`);
    if (crowned === null && (await leaderCount(page)) > 0) crowned = ms;
    if (crowned !== null && ms > crowned + 150) break;
  }
  // While playing (slowly, as a class watches it).
  await scrubTo(page, 0);
  await page.getByRole('combobox', { name: 'Speed' }).selectOption('0.1');
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  for (let k = 0; k < 4; k++) {
    await page.waitForTimeout(350);
    await check(`${tag} ${n} servers playing (${await time(page)})`);
  }
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  return seen;
}

function report(seen) {
  const kinds = {};
  for (const p of seen.problems) {
    const k = p.split(': ')[1].split(/ [\d(]/)[0].replace(/ by$/, '').replace(/ of server-\d+$/, ' of a server');
    kinds[k] = (kinds[k] ?? 0) + 1;
  }
  const by = Object.entries(kinds).map(([k, v]) => `${v} ${k}`).join(', ');
  return `${seen.frames} frames, ${seen.texts} texts, smallest ${seen.minPx.toFixed(1)} px, ` +
    `${seen.problems.length} problems (${by || 'none'}), ${seen.votesMissing.length} missing votes, ${seen.abbreviations.length} abbreviations`;
}

function assertClean(seen, what) {
  const lines = [
    ...seen.problems.slice(0, 25),
    ...seen.votesMissing.slice(0, 10),
    ...seen.abbreviations.slice(0, 10),
  ];
  assert.ok(
    seen.problems.length === 0 && seen.votesMissing.length === 0 && seen.abbreviations.length === 0,
    `${what}: ${report(seen)}\n${lines.join('\n')}`,
  );
}

const results = {};

for (const [mode, viewport, minPx] of [
  ['1366x768', { width: 1366, height: 768 }, 12],
  ['presenter 1280x720', { width: 1280, height: 720 }, 18],
]) {
  test(`cluster view, ${mode}: votes readable, texts ≥ ${minPx} px, no label overlaps, circles not small and apart, during the election of 3, 5 and 9 servers`, async () => {
    const { page, errors } = await openPage(ctx.browser, ctx.server.url);
    await page.setViewportSize(viewport);
    await page.locator('svg.cluster').waitFor({ timeout: 15000 });
    if (mode.startsWith('presenter')) {
      await page.keyboard.press('p');
      await waitUntil(async () => (await page.locator('.zablab.presenter').count()) === 1, 'presenter mode');
    }
    const failures = [];
    for (const n of [3, 5, 9]) {
      const seen = await sampleElection(page, n, minPx, mode);
      results[`${mode} ${n}`] = report(seen);
      try {
        assertClean(seen, `${mode}, ${n} servers`);
      } catch (e) {
        failures.push(e.message);
      }
    }
    await writeFile(`target/e2e/cluster-${mode.split(' ')[0]}.json`, JSON.stringify(results, null, 1));
    // The shot: five servers in the middle of their election, paused.
    await newEnsemble(page, 5);
    await scrubTo(page, 70);
    await page.screenshot({ path: mode.startsWith('presenter') ? 'docs/cluster-election-presenter.png' : 'docs/cluster-election.png' });
    assert.deepEqual(errors, []);
    assert.equal(failures.length, 0, failures.join('\n\n'));
    await page.close();
  });
}

test('discovery and sync messages carry their full ZooKeeper names with their epoch or zxid', async () => {
  const { page, errors } = await openPage(ctx.browser, ctx.server.url);
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.locator('svg.cluster').waitFor({ timeout: 15000 });
  await newEnsemble(page, 3);
  const seen = new Map();
  const wanted = ['FOLLOWERINFO', 'LEADERINFO', 'NEWLEADER'];
  for (let ms = 150; ms <= 1200 && !wanted.every((w) => seen.has(w)); ms += 4) {
    await scrubTo(page, ms);
    for (const t of await page.locator('svg.cluster .messages text, svg.cluster .message-label text').allTextContents()) {
      const name = t.match(/\b(FOLLOWERINFO|LEADERINFO|ACKEPOCH|NEWLEADER|UPTODATE|DIFF|SNAP|TRUNC|PROPOSAL)\b/)?.[1];
      if (name && !seen.has(name)) seen.set(name, t);
    }
  }
  const names = [...seen.keys()];
  for (const want of wanted) {
    assert.ok(names.includes(want), `a ${want} label in flight was seen (seen: ${JSON.stringify([...seen.entries()])})`);
  }
  assert.match(seen.get('LEADERINFO'), /epoch \d+|e\d+/, 'LEADERINFO shows the epoch it proposes');
  assert.match(seen.get('NEWLEADER'), /0x[0-9a-f]+/, 'NEWLEADER shows its zxid');
  assert.deepEqual(errors, []);
  await page.close();
});

test('every server is keyboard-focusable with a visible focus ring, and its accessible name contains its visible text', async () => {
  const { page, errors } = await openPage(ctx.browser, ctx.server.url);
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.locator('svg.cluster').waitFor({ timeout: 15000 });
  await newEnsemble(page, 5);
  await scrubTo(page, 60);
  const bad = [];
  const ringOf = (g) => g.evaluate((el) => {
    const r = el.querySelector('.focus-ring');
    if (!r) return null;
    const cs = getComputedStyle(r);
    return { stroke: cs.stroke, width: parseFloat(cs.strokeWidth), opacity: Number(cs.opacity), display: cs.display, visibility: cs.visibility };
  });
  const shown = (ring) => ring && ring.display !== 'none' && ring.visibility !== 'hidden' && ring.opacity > 0 && ring.width >= 2 && ring.stroke !== 'none';
  for (let sid = 1; sid <= 5; sid++) {
    const g = page.locator(`[data-testid="server-${sid}"]`);
    // Reached with the keyboard (Tab away and Shift+Tab back), as a
    // keyboard user would, so that :focus-visible applies.
    await g.focus();
    await page.keyboard.press('Tab');
    const away = await ringOf(g);
    await page.keyboard.press('Shift+Tab');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
    if (focused !== `server-${sid}`) bad.push(`server ${sid} cannot take the focus with the keyboard (${focused})`);
    const ring = await ringOf(g);
    if (!shown(ring)) bad.push(`server ${sid} has no visible focus ring: ${JSON.stringify(ring)}`);
    if (shown(away)) bad.push(`server ${sid} shows its focus ring without the focus`);
    const name = (await g.getAttribute('aria-label')) ?? '';
    const visible = await g.evaluate((el) => [...el.querySelectorAll('text')]
      .filter((t) => getComputedStyle(t).opacity !== '0' && t.textContent.trim())
      .map((t) => t.textContent.trim()));
    for (const v of visible) {
      if (!name.includes(v)) bad.push(`server ${sid}: visible "${v}" is not in its accessible name "${name}"`);
    }
  }
  assert.deepEqual(errors, []);
  assert.deepEqual(bad, []);
  await page.close();
});

test('a thousand messages while playing are drawn on a canvas between the links and the servers; paused, each is an element again', async () => {
  // 9 voters + 42 observers at 333 writes/s: ~1,000 messages in flight.
  const { page, errors } = await playBenchFile('frames-51srv.json', { width: 1366, height: 768 });
  const playing = await page.evaluate(() => {
    const svg = document.querySelector('svg.cluster');
    const canvas = svg.querySelector('foreignObject.dots > canvas.cluster-dots');
    const layers = [...svg.children].map((c) => c.getAttribute('class'));
    const px = canvas?.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data ?? [];
    let painted = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i] > 0) painted++;
    return {
      html: canvas instanceof HTMLCanvasElement,
      dots: Number(canvas?.dataset.dots ?? 0),
      painted,
      elements: svg.querySelectorAll('g.msg:not(.held)').length,
      paths: svg.querySelectorAll('path.msg-batch').length,
      order: layers.indexOf('dots') > layers.indexOf('links') && layers.indexOf('dots') < layers.indexOf('servers'),
      size: canvas && [canvas.getBoundingClientRect().width, canvas.getBoundingClientRect().height].map(Math.round).join('x'),
      svgBox: [svg.clientWidth, svg.clientHeight].join('x'),
    };
  });
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.waitForTimeout(300);
  const paused = await page.evaluate(() => ({
    dots: document.querySelector('canvas.cluster-dots')?.dataset.dots,
    elements: document.querySelectorAll('svg.cluster g.msg:not(.held)').length,
  }));
  assert.ok(playing.html, 'the canvas is an HTML canvas (not an SVG element named canvas)');
  assert.ok(playing.dots > 400, `more than 400 dots on the canvas while playing: ${JSON.stringify(playing)}`);
  assert.equal(playing.elements + playing.paths, 0, 'none of them is also an element or a path');
  // A dot of radius 6 with its rim covers ~150 pixels; overlapping dots less.
  assert.ok(playing.painted > playing.dots * 40, `the canvas is painted: ${JSON.stringify(playing)}`);
  assert.ok(playing.order, 'the canvas lies above the links and under the servers');
  assert.equal(playing.size, playing.svgBox, 'the canvas covers the view');
  assert.equal(paused.dots, '0', 'paused, the canvas is cleared');
  assert.ok(paused.elements > 400, `paused, each message is an element with its title: ${JSON.stringify(paused)}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('playing 5 servers, the cluster view is one composited layer: nothing in it makes what is drawn above it a layer of its own', async () => {
  // An element Chromium composites inside the view (an opacity-0 focus
  // ring did; so does the dots' canvas when it is shown) puts everything
  // drawn after it into layers of their own, repainted every frame.
  // At the frame benchmark's size (bench/browser.mjs): at 1366x768 the
  // opacity-0 focus ring happened not to split the view.
  const { page, errors } = await playBenchFile('frames-5srv.json', { width: 1400, height: 980 });
  const cdp = await page.context().newCDPSession(page);
  let layers = [];
  cdp.on('LayerTree.layerTreeDidChange', (e) => { if (e.layers) layers = e.layers; });
  await cdp.send('LayerTree.enable');
  await waitUntil(async () => layers.length > 0, 'the layer tree');
  const overlapping = [];
  for (const l of layers) {
    const r = await cdp.send('LayerTree.compositingReasons', { layerId: l.layerId }).catch(() => ({}));
    const why = [...(r.compositingReasonIds ?? []), ...(r.compositingReasons ?? [])].join(', ');
    if (/overlap/i.test(why)) overlapping.push(`${l.width}x${l.height}: ${why}`);
  }
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  assert.deepEqual(overlapping, [], 'no layer exists only because it overlaps composited content');
  assert.deepEqual(errors, []);
  await page.close();
});
