// Presenter mode at 1280x720, the size of a classroom projector: every
// state of every step of every lesson (English and Chinese) is walked
// with the presenter's keys (Space goes on, 1 picks), and at each one the
// step's text (title, narration, try-it, question, choices, answer,
// explanation, evidence) must be on screen whole, page by page where the
// step is paged (a page starts at a block or a sentence): the panel not
// scrolled, nothing cut at its edges, no horizontal scroll; the narration
// at least 24 px and log lines at least 18 px. Paged, each piece of the
// step is on exactly one page, a question is on the page of its choices
// whenever the two fit together, and no page ends with a heading. The
// ensemble beside it: each circle's radius at least twice the labels'
// type size, the rings of two servers apart (cluster-measure.mjs). Outside a lesson the whole
// page must fit 1280 px across with the transport and the timeline on
// screen. Each state's overflow is written to target/e2e/presenter-fit.json.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';

import { serveDist } from './serve-dist.mjs';
import { launch, openPage, waitUntil } from './browser.mjs';
import { circleProblems, measureCluster } from './cluster-measure.mjs';

const DIST = process.env.ZABLAB_DIST ?? 'dist';
const LANGS = (process.env.ZABLAB_PRESENTER_LANGS ?? 'en,zh').split(',');
const W = 1280;
const H = 720;

const index = JSON.parse(await readFile('static/lessons/index.json', 'utf8'));
const lessons = [];
for (const file of index.lessons) lessons.push(JSON.parse(await readFile(`static/lessons/${file}`, 'utf8')));
lessons.sort((a, b) => a.order - b.order);

let server;
let browser;
const report = [];

before(async () => {
  server = await serveDist(DIST);
  browser = await launch();
  await mkdir('target/e2e', { recursive: true });
});

after(async () => {
  await writeFile('target/e2e/presenter-fit.json', JSON.stringify(report, null, 1));
  await browser?.close();
  await server?.close();
});

/** What a person at the back of the room sees of the lesson panel now. */
function measure() {
  const panel = document.querySelector('[data-testid="lesson"]');
  const pr = panel.getBoundingClientRect();
  const parts = [
    '[data-testid="lesson-title"]', '[data-testid="lesson-text"]', '[data-testid="lesson-try"]',
    '[data-testid="lesson-question"] .prompt', '[data-testid="lesson-question"] .choice',
    '[data-testid="lesson-answer"]', '[data-testid="lesson-explanation"]', '[data-testid="lesson-differs"]',
    '[data-testid="lesson-log"] li', '[data-testid="lesson-running"]', '.lesson-nav button',
  ];
  const cut = [];
  for (const sel of parts) {
    for (const el of panel.querySelectorAll(sel)) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      const top = Math.max(pr.top, 0);
      const bottom = Math.min(pr.bottom, innerHeight);
      if (r.top < top - 0.5 || r.bottom > bottom + 0.5 || r.left < Math.max(pr.left, 0) - 0.5 || r.right > Math.min(pr.right, innerWidth) + 0.5) {
        cut.push(`${sel} [${Math.round(r.top)}..${Math.round(r.bottom)}] outside [${Math.round(top)}..${Math.round(bottom)}]`);
      }
    }
  }
  const px = (sel) => {
    const el = panel.querySelector(sel);
    return el ? parseFloat(getComputedStyle(el).fontSize) : null;
  };
  // The page drawn (not the hidden copy that is measured): which pieces it
  // shows, whether a question is split from its choices when the two fit
  // the panel together, whether the page ends with a heading.
  const body = panel.querySelector('.lesson-body');
  const drawn = body ? [...body.querySelectorAll(':scope > .block')] : [];
  const shown = drawn.flatMap((b) => [...b.querySelectorAll('[data-u]')].map((e) => Number(e.getAttribute('data-u'))));
  const all = body ? body.querySelectorAll('.lesson-measure [data-u]').length : 0;
  const question = drawn.find((b) => b.matches('.question'));
  const hasPrompt = !!question?.querySelector('.prompt');
  const hasChoices = !!question?.querySelector('.choices');
  const whole = body?.querySelector('.lesson-measure .question');
  const fitsTogether = !!whole && whole.getBoundingClientRect().height <= body.clientHeight;
  const split = fitsTogether && hasPrompt !== hasChoices ? (hasPrompt ? 'the question without its choices' : 'the choices without their question') : null;
  const lastPiece = drawn.length ? [...drawn[drawn.length - 1].querySelectorAll('[data-u]')].pop() : null;
  const endsWithHeading = !!lastPiece && /^H[1-6]$/.test(lastPiece.firstElementChild?.tagName ?? lastPiece.tagName);
  return {
    phase: panel.getAttribute('data-phase'),
    step: Number(panel.getAttribute('data-step')),
    overflow: Math.max(0, panel.scrollHeight - panel.clientHeight),
    scrollTop: panel.scrollTop,
    pageWidth: document.documentElement.scrollWidth,
    pageHeight: document.documentElement.scrollHeight,
    narrationPx: px('[data-testid="lesson-text"]'),
    logPx: px('[data-testid="lesson-log"] li'),
    cut,
    shown,
    all,
    split,
    endsWithHeading,
  };
}

/** Checks the state shown now; returns its measure. */
async function check(page, where) {
  const m = await page.evaluate(measure);
  report.push({ where, ...m });
  const problems = [];
  if (m.pageWidth > W) problems.push(`the page is ${m.pageWidth} px wide`);
  if (m.pageHeight > H) problems.push(`the page is ${m.pageHeight} px high`);
  if (m.overflow > 0 || m.scrollTop > 0) problems.push(`the panel holds ${m.overflow} px more than it shows (scrolled ${m.scrollTop} px)`);
  if (m.cut.length) problems.push(`cut: ${m.cut.join('; ')}`);
  if (m.narrationPx !== null && m.narrationPx < 24) problems.push(`narration ${m.narrationPx} px`);
  if (m.logPx !== null && m.logPx < 18) problems.push(`log lines ${m.logPx} px`);
  if (m.split) problems.push(`the page shows ${m.split} (they fit on one page)`);
  // The ensemble beside the lesson: circles not small beside their
  // labels, their rings apart.
  problems.push(...circleProblems(await measureCluster(page)));
  if (m.endsWithHeading) problems.push('the page ends with a heading');
  return { m, problems: problems.map((p) => `${where} (${m.phase}): ${p}`) };
}

const attr = (page, name) => page.locator('[data-testid="lesson"]').getAttribute(name);

/**
 * Checks every page of the state shown, from the first (a step too long
 * for the panel is paged; PageUp and PageDown turn the page as the arrows
 * and Space do), and comes back on the last page, where Space goes on.
 */
async function checkPages(page, where) {
  const problems = [];
  const seen = new Map();
  // A phase that starts within the step opens on the page of its news
  // (the answer): the earlier pages are read first, from page 1.
  for (let at = Number(await attr(page, 'data-page')); at > 1; at--) {
    await page.keyboard.press('PageUp');
    await waitUntil(async () => Number(await attr(page, 'data-page')) === at - 1, `${where} back to page ${at - 1}`);
  }
  await page.waitForTimeout(30);
  for (;;) {
    const [at, of] = [Number(await attr(page, 'data-page')), Number(await attr(page, 'data-pages'))];
    const { m, problems: found } = await check(page, of > 1 ? `${where} page ${at}/${of}` : where);
    problems.push(...found);
    // Each piece of the step on exactly one page (none drawn twice, none
    // left out).
    for (const u of m.shown) {
      if (seen.has(u)) problems.push(`${where} (${m.phase}): piece ${u} is on page ${seen.get(u)} and again on page ${at}`);
      else seen.set(u, at);
    }
    if (at >= of) {
      const missing = [...Array(m.all).keys()].filter((u) => !seen.has(u));
      if (missing.length) problems.push(`${where} (${m.phase}): pieces ${missing.join(', ')} are on no page`);
      return problems;
    }
    await page.keyboard.press('PageDown');
    await waitUntil(async () => Number(await attr(page, 'data-page')) === at + 1, `${where} page ${at + 1}`);
    await page.waitForTimeout(30);
  }
}

/** Walks `lesson` in presenter mode with the keys; every settled state checked. */
async function walkPresented(lesson, lang) {
  const { page, errors } = await openPage(browser, `${server.url}#lesson=${lesson.id}&step=1&lang=${lang}`);
  await page.setViewportSize({ width: W, height: H });
  await waitUntil(async () => (await page.locator('[data-testid="lesson"]').count()) === 1, 'the lesson', 20000);
  // Runs at 100x (a lesson's runs are never slower than its own least
  // speed): each state is reached by the run, not by a key racing it.
  await page.locator('[data-testid="speed"]').selectOption('100');
  await page.keyboard.press('p');
  await page.locator('.lesson-presenter').waitFor({ timeout: 5000 });
  const problems = [];
  for (let k = 0; k < lesson.steps.length; k++) {
    await waitUntil(async () => (await attr(page, 'data-step')) === String(k + 1), `${lesson.id} step ${k + 1}`);
    const deadline = Date.now() + 60000;
    const where = `${lesson.id} (${lang}) step ${k + 1}`;
    for (;;) {
      assert.ok(Date.now() < deadline, `${where} never settled`);
      const [phase, playing] = await page
        .locator('[data-testid="lesson"]')
        .evaluate((el) => [el.getAttribute('data-phase'), el.getAttribute('data-playing')]);
      const leaves = async (from) => waitUntil(async () => (await attr(page, 'data-phase')) !== from, `${where} leaves ${from}`);
      if (phase === 'running') {
        // Paused on the way (a violation, a hazard): Space goes there.
        if (playing === 'false') await page.keyboard.press('Space');
        await page.waitForTimeout(30);
      } else if (phase === 'trying') {
        problems.push(...(await checkPages(page, where)));
        await page.keyboard.press('Space'); // Skip
        await leaves('trying');
      } else if (phase === 'asking') {
        problems.push(...(await checkPages(page, where)));
        await page.keyboard.press('1'); // pick: runs to the reveal
        await leaves('asking');
      } else {
        await page.waitForTimeout(50);
        problems.push(...(await checkPages(page, where)));
        break;
      }
    }
    if (k === 1 && lesson.order === 2 && lang === 'en') {
      await page.screenshot({ path: 'target/e2e/presenter-lesson.png' });
    }
    if (k + 1 < lesson.steps.length) await page.keyboard.press('Space');
  }
  assert.deepEqual(errors, []);
  await page.close();
  return problems;
}

for (const lang of LANGS) {
  test(`presenter mode at ${W}x${H} (${lang}): every state of every lesson step fits, nothing cut, no scrolling`, async () => {
    const problems = [];
    for (const lesson of lessons) problems.push(...(await walkPresented(lesson, lang)));
    const states = report.filter((r) => r.where.includes(`(${lang})`));
    console.log(`${lang}: ${states.length} states, ${problems.length} problem(s); largest overflow ${Math.max(0, ...states.map((s) => s.overflow))} px`);
    assert.deepEqual(problems, []);
  });
}

test(`presenter mode at ${W}x${H} outside a lesson: the page fits across, transport and timeline on screen, log lines >= 18 px`, async () => {
  const { page, errors } = await openPage(browser, server.url);
  await page.setViewportSize({ width: W, height: H });
  await page.locator('svg.cluster').waitFor({ timeout: 15000 });
  await page.keyboard.press('p');
  await page.locator('.zablab.presenter').waitFor();
  await page.getByRole('tab', { name: 'Log' }).click();
  await page.waitForTimeout(100);
  const m = await page.evaluate(() => {
    const box = (sel) => {
      const el = document.querySelector(sel);
      if (!el) return null;
      const r = el.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
    };
    const line = document.querySelector('[data-testid="log-lines"] li');
    return {
      pageWidth: document.documentElement.scrollWidth,
      transport: box('.transport .buttons'),
      timeline: box('[data-testid="timeline"]'),
      logPx: line ? parseFloat(getComputedStyle(line).fontSize) : null,
    };
  });
  report.push({ where: 'outside a lesson', ...m });
  await page.screenshot({ path: 'target/e2e/presenter-main.png' });
  const problems = [];
  if (m.pageWidth > W) problems.push(`the page is ${m.pageWidth} px wide`);
  for (const k of ['transport', 'timeline']) {
    const b = m[k];
    if (!b || b.top < 0 || b.bottom > H || b.left < 0 || b.right > W) problems.push(`${k} off screen: ${JSON.stringify(b)}`);
  }
  if (!(m.logPx >= 18)) problems.push(`log lines ${m.logPx} px`);
  assert.deepEqual(problems, []);
  assert.deepEqual(errors, []);
  await page.close();
});
