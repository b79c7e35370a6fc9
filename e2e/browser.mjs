// Launches Debian's Chromium through playwright-core (no browser download).
import { after, before } from 'node:test';
import { mkdir } from 'node:fs/promises';
import { chromium } from 'playwright-core';

import { serveDist } from './serve-dist.mjs';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Opens `url` in a new page that records console errors and page errors.
 * The app opens as before its first-visit welcome (paused at 2 s on a
 * settled ensemble: the stored flag `zablab-opening`), unless `fresh`: a
 * first visit (empty storage: the welcome over a live ensemble forming).
 */
export async function openPage(browser, url, { fresh = false } = {}) {
  // A context of its own (a fresh storage; what axe-core's builder needs),
  // closed with the page. `browser` may already be a context.
  const context = browser.newContext ? await browser.newContext() : null;
  const page = await (context ?? browser).newPage();
  if (context) page.on('close', () => context.close().catch(() => {}));
  if (!fresh) await page.addInitScript(() => localStorage.setItem('zablab-opening', 'settled'));
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
  await page.goto(url);
  return { page, errors };
}

/** Waits until `selector`'s text is `want`; on timeout, fails saying what it is instead. */
export async function expectText(page, selector, want, timeout = 5000) {
  const deadline = Date.now() + timeout;
  let have;
  do {
    have = await page.locator(selector).textContent({ timeout: 1000 }).catch(() => null);
    if (have === want) return;
    await page.waitForTimeout(50);
  } while (Date.now() < deadline);
  throw new Error(`${selector} shows ${JSON.stringify(have)}, expected ${JSON.stringify(want)} within ${timeout} ms`);
}

/** Polls `cond()` until it is true; on timeout, fails naming `what`. */
export async function waitUntil(cond, what, timeout = 10000) {
  const deadline = Date.now() + timeout;
  let last;
  do {
    try {
      if (await cond()) return;
    } catch (e) {
      last = e;
    }
    await new Promise((ok) => setTimeout(ok, 40));
  } while (Date.now() < deadline);
  throw new Error(`waited ${timeout} ms for ${what}${last ? ` (last error: ${last.message})` : ''}`);
}

// A test file's set-up: before its tests, the built page (ZABLAB_DIST, else
// dist/) served on 127.0.0.1 and Chromium launched (target/e2e made for
// the files the checks write); after them, both closed. Returns { server,
// browser }, filled in once `before` has run.
export function servedBrowser(dist = process.env.ZABLAB_DIST ?? 'dist') {
  const ctx = {};
  before(async () => {
    ctx.server = await serveDist(dist);
    ctx.browser = await launch();
    await mkdir('target/e2e', { recursive: true });
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.server?.close();
  });
  return ctx;
}
