// The five-server stale-log finding beside the real ZooKeeper 3.8.0 run it
// recreates: the log tab shows each real line with its simulated
// counterpart, at 1366x768 and at 1280x720 in presenter mode.
// Run: node --test e2e/ (needs dist/ from `trunk build --release`).
import { test } from 'node:test';
import assert from 'node:assert/strict';


import { openPage, servedBrowser, waitUntil } from './browser.mjs';

const DIST = process.env.ZABLAB_DIST ?? 'dist';
const ctx = servedBrowser(DIST);

const FILE = 'findings/stale-log-after-snap-5.json';

/** Opens a finding (by default the five-server one) and scrubs to its end. */
async function openFindingAtEnd(page, file = FILE, title = 'ZabLab finding, 5 servers') {
  await page.locator('svg.cluster').waitFor({ timeout: 15000 });
  const presets = page.getByRole('combobox', { name: 'Open a scenario…' });
  await waitUntil(async () => (await presets.locator('option').count()) > 10, 'the scenario list');
  await presets.selectOption(file);
  await waitUntil(
    async () => (await page.locator('[data-testid="scenario-title"]').textContent()).startsWith(title),
    'the finding',
  );
  await page.getByRole('slider', { name: 'Timeline' }).evaluate((el) => {
    el.value = el.max;
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await page.getByRole('tab', { name: /^Log/ }).click();
  await page.locator('[data-testid="real-log"]').waitFor({ timeout: 10000 });
}

/** The pair whose real line contains `needle`: [real text, simulated text]. */
async function pairWith(page, needle) {
  const li = page.locator('[data-testid="real-pair"]', { hasText: needle }).first();
  return [await li.locator('.real-line').textContent(), await li.locator('.sim-line').textContent()];
}

test('the finding shows the real ensemble\'s lines beside the simulated ones', async () => {
  const { page, errors } = await openPage(ctx.browser, ctx.server.url);
  await page.setViewportSize({ width: 1366, height: 768 });
  await openFindingAtEnd(page);
  await waitUntil(
    async () => /11 of 11 lines/.test(await page.locator('.real-log > summary').textContent()),
    'every modelled real line matched at the end of the run',
  );
  assert.equal(await page.locator('[data-testid="real-pair"]').count(), 13);
  const [real, sim] = await pairWith(page, 'Use txnlog and committedLog for peer sid: 1');
  assert.match(real, /s5 INFO +LearnerHandler - Use txnlog and committedLog for peer sid: 1/);
  assert.match(sim, /\[myid:5 LearnerHandler\] - Use txnlog and committedLog for peer sid: 1/);
  const [, stale] = await pairWith(page, 'Got zxid 0x10000000c expected 0x1');
  assert.match(stale, /\[myid:1 Learner\] - Got zxid 0x10000000c expected 0x1/);
  const [, digest] = await pairWith(page, 'Digests are not matching');
  assert.match(digest, /not modelled: the model keeps no data-tree digest/);
  // Readable: the lines are at least 11 px, the panel starts on screen.
  const px = await page.locator('.real-pairs').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  assert.ok(px >= 11, `font ${px}px`);
  const box = await page.locator('[data-testid="real-log"]').boundingBox();
  assert.ok(box.y < 768 && box.x + box.width <= 1366, JSON.stringify(box));
  await page.screenshot({ path: 'target/e2e/real-log-1366.png' });

  // A click on a simulated line seeks to its moment.
  await page.locator('[data-testid="real-pair"]', { hasText: 'Use txnlog' }).locator('.sim-line').click();
  await waitUntil(async () => (await page.locator('[data-testid="time"]').textContent()) === '35.901 s', 'the seek');
  // Before that moment the later lines are not logged yet.
  assert.match(await page.locator('.real-log > summary').textContent(), /of 11 lines/);
  assert.match((await pairWith(page, 'Have quorum of supporters'))[1], /not logged in this run \(yet\)/);

  await page.setViewportSize({ width: 1280, height: 720 });
  await page.getByRole('button', { name: 'Presenter' }).click();
  await page.locator('[data-testid="real-log"]').waitFor();
  await page.screenshot({ path: 'target/e2e/real-log-presenter-1280.png' });
  await page.getByRole('button', { name: 'Presenter' }).click();
  assert.deepEqual(errors, []);
  await page.close();
});

test('finding 5 pairs ZooKeeper 3.9.3\'s start-up refusal with the simulated one', async () => {
  const { page, errors } = await openPage(ctx.browser, ctx.server.url);
  await page.setViewportSize({ width: 1366, height: 768 });
  await openFindingAtEnd(page, 'findings/epoch-behind-log-after-kill.json', 'ZabLab finding: a kill during the NEWLEADER fsync');
  await waitUntil(
    async () => /3 of 3 lines/.test(await page.locator('.real-log > summary').textContent()),
    'the three real lines matched at the end of the run',
  );
  const [real, sim] = await pairWith(page, 'older than the last zxid');
  assert.match(real, /s3 ERROR +QuorumPeer - Unable to load database on disk/);
  assert.match(sim, /\[myid:3 QuorumPeer\] - Unable to load database on disk/);
  assert.match(sim, /The current epoch, 1, is older than the last zxid, 8589934594/);
  await page.screenshot({ path: 'target/e2e/real-log-finding5-1366.png' });

  // Presented at 1280x720 under its three-line title and the violation
  // banner: the play buttons and the timeline are still on screen, and
  // the failed start's card names server 3 and is on screen too, with the
  // start of its sentence (the first card's consequences come before its
  // remedies, and the tab's hint is one line in presenter mode).
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.getByRole('button', { name: 'Presenter' }).click();
  await page.getByRole('tab', { name: /^Diagnosis/ }).click();
  // The innermost card that tells of the failed start (a card folds its
  // consequences, whose text it then contains too).
  const failed = page.locator('.finding:not(:has(.finding))', { hasText: 'failed to start' }).first();
  await failed.waitFor({ state: 'attached' });
  assert.match(await failed.locator('.finding-head').textContent(), /not_started · server 3/);
  for (const [what, el] of [
    ['the banner', page.locator('.notice.error')],
    ['the play button', page.locator('[data-testid="play"]')],
    ['the timeline', page.getByRole('slider', { name: 'Timeline' })],
    ["the failed start's card", failed.locator('.finding-head')],
  ]) {
    const box = await el.boundingBox();
    assert.ok(box && box.y >= 0 && box.y + box.height <= 720, `${what} on screen: ${JSON.stringify(box)}`);
  }
  // Its sentence begins on screen: at least its first two lines.
  const sentence = await failed.locator(':scope > p').boundingBox();
  const line = await failed.locator(':scope > p').evaluate((p) => parseFloat(getComputedStyle(p).lineHeight));
  assert.ok(sentence && sentence.y + 2 * line <= 720, `the failed start's sentence begins on screen: ${JSON.stringify(sentence)}, line ${line}`);
  await page.screenshot({ path: 'target/e2e/finding5-presenter-1280.png' });
  await page.getByRole('button', { name: 'Presenter' }).click();
  assert.deepEqual(errors, []);
  await page.close();
});

test('a schedule without a real run shows no real-log panel', async () => {
  const { page, errors } = await openPage(ctx.browser, ctx.server.url);
  await page.locator('svg.cluster').waitFor({ timeout: 15000 });
  await page.getByRole('tab', { name: /^Log/ }).click();
  await page.locator('[data-testid="log"]').waitFor();
  assert.equal(await page.locator('[data-testid="real-log"]').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});
