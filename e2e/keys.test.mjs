// The keyboard, as a person uses it with a mouse in the other hand:
// Space after clicking a button plays or pauses (it never clicks that
// button again), Esc closes every dialog, a dialog keeps the focus inside
// and gives it back to the button that opened it, and the arrow keys on
// the timeline step one event (Shift: ten), not one millisecond.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

import { openPage, servedBrowser, waitUntil } from './browser.mjs';

const DIST = process.env.ZABLAB_DIST ?? 'dist';
const ctx = servedBrowser(DIST);

async function opened(url = ctx.server.url, opts = {}) {
  const o = await openPage(ctx.browser, url, opts);
  await o.page.setViewportSize({ width: 1366, height: 768 });
  await o.page.locator('svg.cluster').waitFor({ timeout: 15000 });
  return o;
}

const text = (page, id) => page.locator(`[data-testid="${id}"]`).first().textContent();
const events = async (page) => Number((await text(page, 'status')).match(/· (\d+) events?/)[1]);
const playing = async (page) => (await page.getByRole('button', { name: 'Pause', exact: true }).count()) === 1;
const downCount = async (page) => page.locator('svg.cluster g.server.st-down').count();

/** The actions of the session as exported (what the run recorded). */
async function exportedActions(page) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export', exact: true }).click(),
  ]);
  const file = `target/e2e/keys-${Date.now()}.json`;
  await download.saveAs(file);
  return JSON.parse(await readFile(file, 'utf8')).actions;
}

test('Space after a mouse click plays or pauses; it never clicks that button again', async () => {
  const { page, errors } = await opened();
  const problems = [];

  // Crash leader, clicked: Space then plays, and nothing is crashed twice.
  await page.getByRole('button', { name: 'Crash leader', exact: true }).click();
  assert.equal(await downCount(page), 1);
  await page.keyboard.press('Space');
  await page.waitForTimeout(100);
  if (!(await playing(page))) problems.push('Space after clicking Crash leader did not play');
  if ((await page.locator('[data-testid="error"]').count()) > 0) problems.push(`Space after clicking Crash leader: ${await text(page, 'error')}`);
  if ((await downCount(page)) !== 1) problems.push(`${await downCount(page)} servers down after one click on Crash leader and Space`);
  await page.keyboard.press('Space');
  await page.waitForTimeout(100);
  if (await playing(page)) problems.push('a second Space did not pause');

  // A partition, clicked: Space pauses and plays, no second partition.
  await page.getByRole('tab', { name: 'Network' }).click();
  await page.getByRole('combobox', { name: 'Group of server 1' }).selectOption('1');
  await page.getByRole('button', { name: 'Partition into these groups' }).click();
  await page.keyboard.press('Space');
  await page.waitForTimeout(100);
  if (!(await playing(page))) problems.push('Space after clicking Partition did not play');
  await page.keyboard.press('Space');
  const partitions = (await exportedActions(page)).filter((a) => a.do === 'partition').length;
  if (partitions !== 1) problems.push(`${partitions} partitions recorded after one click and two Spaces`);

  // Enter still activates the focused button (the keyboard's own click).
  await page.getByRole('tab', { name: 'Server' }).focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.getByRole('tab', { name: 'Server' }).getAttribute('aria-selected'), 'true');
  assert.deepEqual(errors, []);
  await page.close();
  assert.deepEqual(problems, []);
});

/** Opens a dialog (`open()`), checks the focus stays inside it, closes it with Esc, and checks where the focus went. */
async function escCloses(page, name, open, opener) {
  const problems = [];
  await open();
  const dialog = page.locator('[role="dialog"]');
  await dialog.first().waitFor({ timeout: 3000 });
  if ((await dialog.count()) !== 1) problems.push(`${name}: ${await dialog.count()} dialogs`);
  const modal = (await dialog.first().getAttribute('aria-modal')) === 'true';
  if (modal) {
    const inside = () => page.evaluate(() => !!document.activeElement?.closest('[role="dialog"]'));
    if (!(await inside())) problems.push(`${name}: the focus is not in the dialog when it opens`);
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press(i % 7 === 6 ? 'Shift+Tab' : 'Tab');
      if (!(await inside())) {
        problems.push(`${name}: Tab ${i + 1} left the dialog (focus on ${await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 60))})`);
        break;
      }
    }
  }
  await page.keyboard.press('Escape');
  await page.waitForTimeout(100);
  if ((await dialog.count()) !== 0) problems.push(`${name}: Esc did not close it`);
  if (opener && (await dialog.count()) === 0) {
    const back = await opener.evaluate((el) => el === document.activeElement);
    if (!back) problems.push(`${name}: the focus did not come back to the button that opened it`);
  }
  return problems;
}

test('Esc closes every dialog; a dialog keeps the focus inside and gives it back', async () => {
  const { page, errors } = await opened();
  const problems = [];
  const help = page.getByRole('button', { name: /Keyboard shortcuts/ });
  problems.push(...(await escCloses(page, 'help (button)', () => help.click(), help)));
  problems.push(...(await escCloses(page, 'help (?)', () => page.keyboard.press('?'), null)));
  const course = page.locator('[data-testid="course"]');
  problems.push(...(await escCloses(page, 'course outline', () => course.click(), course)));
  const setup = page.locator('[data-testid="new-ensemble"]');
  problems.push(...(await escCloses(page, 'new ensemble', () => setup.click(), setup)));
  // Esc in one of the form's fields closes it too.
  await setup.click();
  await page.getByLabel('Voters (3–9)').focus();
  await page.keyboard.press('Escape');
  if ((await page.locator('[role="dialog"]').count()) !== 0) problems.push('new ensemble: Esc in a field did not close it');
  assert.deepEqual(errors, []);
  await page.close();

  const first = await opened(ctx.server.url, { fresh: true });
  if ((await first.page.locator('[data-testid="welcome"]').count()) === 0) problems.push('welcome: not shown on a first visit');
  else problems.push(...(await escCloses(first.page, 'welcome', async () => {}, null)));
  await first.page.close();
  assert.deepEqual(problems, []);
});

test('the arrow keys on the timeline step one event (Shift: ten), Home and End go to the ends', async () => {
  const { page, errors } = await opened();
  const slider = page.getByRole('slider', { name: 'Timeline' });
  await slider.focus();
  const n = await events(page);
  const problems = [];
  const expect = async (key, want) => {
    await page.keyboard.press(key);
    await page.waitForTimeout(50);
    const have = await events(page);
    if (have !== want) problems.push(`${key} on the timeline: ${have} events shown, expected ${want}`);
    return have;
  };
  await expect('ArrowRight', n + 1);
  await expect('ArrowRight', n + 2);
  await expect('ArrowLeft', n + 1);
  await expect('Shift+ArrowRight', n + 11);
  await expect('Shift+ArrowLeft', n + 1);
  await page.keyboard.press('Home');
  if ((await text(page, 'time')) !== '0.000 s') problems.push(`Home on the timeline shows ${await text(page, 'time')}`);
  if (!(await slider.evaluate((el) => el === document.activeElement))) problems.push('the timeline lost the focus');
  assert.deepEqual(errors, []);
  await page.close();
  assert.deepEqual(problems, []);
});

test('the shortcuts do the same whatever has focus (but a text field keeps its keys)', async () => {
  const { page, errors } = await opened();
  await page.getByRole('tab', { name: 'Log' }).click();
  await page.keyboard.press('k');
  await waitUntil(async () => (await page.locator('svg.cluster g.server.st-down').count()) === 1, 'K crashes the leader with a tab focused');
  await page.locator('[data-testid="server-1"]').click();
  const input = page.locator('[data-testid="fourlw-input"]');
  await input.click();
  await page.keyboard.type('srvr');
  assert.equal(await input.inputValue(), 'srvr', 'typed, not taken as shortcuts');
  assert.equal(await page.getByRole('button', { name: 'Play', exact: true }).count(), 1, 'still paused');
  assert.deepEqual(errors, []);
  await page.close();
});

/**
 * Where `el` is seen: the share of its first `lines` px of height that is
 * inside the viewport and inside every scrolled box around it.
 */
function inView(el, lines) {
  const r = el.getBoundingClientRect();
  let top = Math.max(r.top, 0);
  let bottom = Math.min(r.top + lines, r.bottom, innerHeight);
  for (let p = el.parentElement; p; p = p.parentElement) {
    const cs = getComputedStyle(p);
    if (!/(auto|scroll|hidden)/.test(cs.overflowY)) continue;
    const b = p.getBoundingClientRect();
    top = Math.max(top, b.top);
    bottom = Math.min(bottom, b.bottom);
  }
  return { top: r.top, bottom: r.bottom, seen: Math.max(0, bottom - top) / Math.min(lines, r.height) };
}

test('the 4lw console: an answer that appears below the fold is scrolled into view', async () => {
  const { page, errors } = await opened();
  // A short window: the inspector's console ends at the bottom edge.
  await page.setViewportSize({ width: 1366, height: 560 });
  await page.locator('[data-testid="server-1"]').click();
  const input = page.locator('[data-testid="fourlw-input"]');
  await input.evaluate((el) => el.closest('form').scrollIntoView({ block: 'end' }));
  await input.click();
  // Where the answer will be drawn (under the hint after the form) starts
  // below what the window shows: the check means something.
  const under = await page.evaluate(() => {
    const hint = document.querySelector('[data-testid="fourlw-form"] ~ .hint') ?? document.querySelector('[data-testid="fourlw-form"]');
    return hint.getBoundingClientRect().bottom;
  });
  assert.ok(under > 560 - 60, `the console's hint ends at ${under} px, not near the bottom of a 560 px window`);
  await page.keyboard.type('srvr');
  await page.keyboard.press('Enter');
  const out = page.locator('.fourlw-out').first();
  await out.waitFor({ timeout: 5000 });
  await waitUntil(async () => (await out.evaluate(inView, 80)).seen >= 0.99, 'the answer scrolled into view', 3000).catch(() => {});
  const v = await out.evaluate(inView, 80);
  assert.ok(v.seen >= 0.99, `the answer's first lines are ${(v.seen * 100).toFixed(0)}% in view (its box ${v.top.toFixed(0)}..${v.bottom.toFixed(0)} in a 560 px window)`);
  assert.match(await out.textContent(), /Zookeeper version/);
  assert.deepEqual(errors, []);
  await page.close();
});
