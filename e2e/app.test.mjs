// End-to-end checks of the built page (dist/, from `trunk build --release`)
// in headless Chromium. Run: node --test e2e/
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';

import { serveDist } from './serve-dist.mjs';
import { expectText, launch, openPage } from './browser.mjs';

const DIST = process.env.ZABLAB_DIST ?? 'dist';
let server;
let browser;

before(async () => {
  server = await serveDist(DIST);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('the built page shows a settled ensemble (one leader, two followers) from the wasm core', async () => {
  const { page, errors } = await openPage(browser, server.url);
  const states = page.locator('[data-testid$="-state"]');
  await states.first().waitFor({ timeout: 15000 });
  assert.deepEqual((await states.allTextContents()).sort(), ['FOLLOWING', 'FOLLOWING', 'LEADING']);
  assert.equal(await page.locator('svg.cluster circle.server').count(), 3);
  assert.deepEqual(errors, []);
  await page.close();
});

test('clicking Crash 1 takes server 1 down, Restart 1 brings it back', async () => {
  const { page, errors } = await openPage(browser, server.url);
  const state1 = page.locator('[data-testid="server-1-state"]');
  await state1.waitFor({ timeout: 15000 });
  assert.notEqual(await state1.textContent(), 'DOWN');

  await page.getByRole('button', { name: 'Crash server 1' }).click();
  await expectText(page, '[data-testid="server-1-state"]', 'DOWN');
  assert.equal(await page.locator('[data-testid="server-1"] circle').getAttribute('class'), 'server down');
  assert.notEqual(await page.locator('[data-testid="server-2-state"]').textContent(), 'DOWN');
  await mkdir('target/e2e', { recursive: true });
  await page.screenshot({ path: 'target/e2e/crashed-server-1.png' });

  await page.getByRole('button', { name: 'Restart server 1' }).click();
  await expectText(page, '[data-testid="server-1-state"]', 'LOOKING');
  assert.deepEqual(errors, []);
  await page.close();
});
