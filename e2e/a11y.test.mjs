// Accessibility of the built page, checked as assistive technology and a
// keyboard user meet it: an axe-core audit (@axe-core/playwright, with the
// label-in-name rule on) of the main view, every side tab, a lesson,
// presenter mode (with and without a lesson) and every dialog must find no
// serious or critical violation; every control reached with Tab shows
// where the focus is; every visible text's contrast is checked by axe.
// The counts per state go to target/e2e/axe.json.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { AxeBuilder } from '@axe-core/playwright';

import { serveDist } from './serve-dist.mjs';
import { launch, openPage, waitUntil } from './browser.mjs';
import { focusRingShare } from './focus-ring.mjs';

const DIST = process.env.ZABLAB_DIST ?? 'dist';
let server;
let browser;
const results = {};

before(async () => {
  server = await serveDist(DIST);
  browser = await launch();
  await mkdir('target/e2e', { recursive: true });
});

after(async () => {
  await writeFile('target/e2e/axe.json', JSON.stringify(results, null, 1));
  await browser?.close();
  await server?.close();
});

// The page's heading structure (moderate in axe, but what a screen
// reader's user navigates by): checked in every state whatever the impact.
const HEADING_RULES = ['page-has-heading-one', 'heading-order', 'empty-heading'];

/** Audits the page as it is now; returns the serious and critical violations and any heading rule's. */
async function audit(page, state) {
  // Let transitions and a render settle before reading colours.
  await page.waitForTimeout(150);
  const r = await new AxeBuilder({ page })
    .options({ rules: { 'label-content-name-mismatch': { enabled: true } } })
    .analyze();
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical' || HEADING_RULES.includes(v.id));
  results[state] = {
    serious_or_critical: bad.filter((v) => v.impact === 'serious' || v.impact === 'critical').reduce((n, v) => n + v.nodes.length, 0),
    headings: bad.filter((v) => HEADING_RULES.includes(v.id)).reduce((n, v) => n + v.nodes.length, 0),
    by_rule: Object.fromEntries(r.violations.map((v) => [`${v.id} (${v.impact})`, v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary?.split('\n')[1]?.trim() ?? ''}`)])),
  };
  return bad.map((v) => `${state}: ${v.id} (${v.impact}) ×${v.nodes.length}: ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | ')}`);
}

async function opened(url = server.url, opts = {}) {
  const o = await openPage(browser, url, opts);
  await o.page.setViewportSize({ width: 1366, height: 768 });
  await o.page.locator('svg.cluster').waitFor({ timeout: 15000 });
  return o;
}

const dialog = (page) => page.locator('[role="dialog"]');

test('axe: no serious or critical violation (nor a broken heading structure) on the main view, each side tab, a lesson, presenter mode and each dialog', async () => {
  const problems = [];
  const { page, errors } = await opened();
  problems.push(...(await audit(page, 'main view')));
  for (const tab of ['Network', 'Clients', 'Log', 'Invariants', 'Diagnosis']) {
    await page.getByRole('tab', { name: tab }).click();
    problems.push(...(await audit(page, `main view, ${tab} tab`)));
  }
  const zh = await opened(`${server.url}#lang=zh`);
  await waitUntil(async () => (await zh.page.locator('html').getAttribute('lang')) === 'zh', 'the page in Chinese');
  problems.push(...(await audit(zh.page, 'main view (zh)')));
  await zh.page.close();
  await page.getByRole('tab', { name: 'Server' }).click();
  await page.locator('[data-testid="server-1"]').click();
  problems.push(...(await audit(page, 'main view, server 1 inspected')));

  // Dialogs.
  await page.getByRole('button', { name: /Keyboard shortcuts/ }).click();
  await dialog(page).first().waitFor({ timeout: 3000 });
  problems.push(...(await audit(page, 'help dialog')));
  await page.getByRole('button', { name: 'Close', exact: true }).click();
  await page.locator('[data-testid="course"]').click();
  await page.locator('[data-testid="course-outline"]').waitFor({ timeout: 3000 });
  await waitUntil(async () => (await page.locator('[data-testid^="open-"]').count()) > 0, 'the lessons listed');
  problems.push(...(await audit(page, 'course outline dialog')));
  await page.locator('[data-testid="course-outline"]').getByRole('button', { name: 'Close', exact: true }).click();
  await page.locator('[data-testid="new-ensemble"]').click();
  await page.locator('[data-testid="setup"]').waitFor({ timeout: 3000 });
  problems.push(...(await audit(page, 'new ensemble dialog')));
  await page.keyboard.press('Escape');
  await page.locator('[data-testid="new-ensemble"]').click().catch(() => {});

  // Presenter mode outside a lesson.
  await page.goto(server.url);
  await page.locator('svg.cluster').waitFor({ timeout: 15000 });
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.keyboard.press('p');
  problems.push(...(await audit(page, 'presenter mode')));
  await page.keyboard.press('p');
  assert.deepEqual(errors, []);
  await page.close();

  // A lesson: at a question, at its reveal, and presented.
  const lesson = await opened(`${server.url}#lesson=02-vote-order&step=1&lang=en`);
  const lp = lesson.page;
  await waitUntil(async () => (await lp.locator('[data-testid="lesson"]').getAttribute('data-phase')) === 'asking', 'the first question', 20000);
  problems.push(...(await audit(lp, 'lesson, asking')));
  await lp.locator('[data-testid="choice-0"]').click();
  await waitUntil(async () => (await lp.locator('[data-testid="lesson"]').getAttribute('data-phase')) === 'revealed', 'the reveal', 20000);
  problems.push(...(await audit(lp, 'lesson, revealed')));
  await lp.setViewportSize({ width: 1280, height: 720 });
  await lp.keyboard.press('p');
  await lp.locator('.lesson-presenter').waitFor({ timeout: 5000 });
  problems.push(...(await audit(lp, 'lesson in presenter mode')));
  await lp.close();

  // The first visit's welcome.
  const first = await opened(server.url, { fresh: true });
  const welcome = first.page.locator('[data-testid="welcome"]');
  if ((await welcome.count()) === 0) problems.push('welcome dialog: not shown on a first visit');
  else problems.push(...(await audit(first.page, 'welcome dialog')));
  await first.page.close();

  console.log(Object.entries(results).map(([k, v]) => `${k}: ${v.serious_or_critical} serious or critical, ${v.headings} heading`).join('\n'));
  assert.deepEqual(problems, []);
});

/** Whether the focused element shows it (an outline or a ring; an SVG server is measured in pixels). */
function focusShown() {
  const el = document.activeElement;
  if (!el || el === document.body) return { el: 'body', shown: true };
  const cs = getComputedStyle(el);
  const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2;
  const ring = cs.boxShadow !== 'none';
  const name = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.getAttribute('data-testid') ? `[data-testid=${el.getAttribute('data-testid')}]` : ''} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40)}"`;
  const server = el instanceof SVGElement && el.matches('svg.cluster g.server');
  return { el: name, shown: outline || ring, server, leader: server && el.classList.contains('leader') };
}

// The focus of an SVG server must change the pixels all round just
// outside its rings (the leader's crown ring included): at least this
// share of 72 sectors of 5 degrees.
const RING_SHARE = 0.9;

test('every control reached with Tab shows the focus, the cluster view\'s servers (the leader too) with a ring outside their rings', async () => {
  const servers = [];
  const check = async (page, state, limit) => {
    const missing = [];
    await page.locator('body').click({ position: { x: 2, y: 2 } }).catch(() => {});
    for (let i = 0; i < limit; i++) {
      await page.keyboard.press('Tab');
      const f = await page.evaluate(focusShown);
      if (f.el === 'body') break;
      if (f.server) {
        const { share } = await focusRingShare(page);
        servers.push(`${state}: ${f.el.split(' ')[0]}${f.leader ? ' (leader)' : ''} ${share.toFixed(2)}`);
        if (share < RING_SHARE) missing.push(`${state}: ${f.el}${f.leader ? ' (the leader)' : ''}: its focus changes ${(share * 100).toFixed(0)}% of the band outside its rings`);
      } else if (!f.shown) {
        missing.push(`${state}: ${f.el}`);
      }
    }
    return [...new Set(missing)];
  };
  const { page, errors } = await opened();
  const problems = await check(page, 'main view', 80);
  await page.locator('[data-testid="server-1"]').click();
  problems.push(...(await check(page, 'server inspected', 80)));
  await page.close();
  const lesson = await opened(`${server.url}#lesson=02-vote-order&step=1&lang=en`);
  await waitUntil(async () => (await lesson.page.locator('[data-testid="lesson"]').getAttribute('data-phase')) === 'asking', 'the first question', 20000);
  problems.push(...(await check(lesson.page, 'lesson', 60)));
  await lesson.page.close();
  // Presenter mode (larger strokes, the leader's thicker ring).
  const presented = await opened();
  await presented.page.setViewportSize({ width: 1280, height: 720 });
  await presented.page.keyboard.press('p');
  await presented.page.locator('.zablab.presenter').waitFor({ timeout: 5000 });
  problems.push(...(await check(presented.page, 'presenter mode', 60)));
  await presented.page.close();
  console.log(`servers' focus rings (share of the band that changes): ${servers.join('; ')}`);
  assert.ok(servers.some((s) => s.includes('(leader)')), `a leader was reached with Tab: ${servers.join('; ')}`);
  assert.deepEqual(errors, []);
  assert.deepEqual(problems, []);
});
