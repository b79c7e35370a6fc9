// The course, end to end: every lesson listed in static/lessons/index.json
// is walked in English and in Chinese in the built app (dist/), as a
// learner who picks the first choice of every question and skips every
// try-it. Each question's choice marked correct (computed by the app from
// its run) must be the lesson's `expect` (the walk `cargo test --test
// lessons` checks headless gives the same). Screenshots go to
// docs/lessons/: one per lesson and language at its first question's
// reveal, and presenter-mode shots (1280x720) of lesson 2 and of the first
// bug-museum lesson. With no lessons yet, the course still opens (and the
// walker itself is checked on the fixture lesson, served in place of the
// index).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';

import { serveDist } from './serve-dist.mjs';
import { launch, openPage, waitUntil } from './browser.mjs';

const DIST = process.env.ZABLAB_DIST ?? 'dist';
const SHOTS = 'docs/lessons';
const LANGS = ['en', 'zh'];

const index = JSON.parse(await readFile('static/lessons/index.json', 'utf8'));
const lessons = [];
for (const file of index.lessons) {
  lessons.push(JSON.parse(await readFile(`static/lessons/${file}`, 'utf8')));
}
lessons.sort((a, b) => a.order - b.order);
const museum = (l) => (l.scenario.ensemble.variants ?? []).length > 0;
const pad = (n) => String(n).padStart(2, '0');
// Presenter shots: lesson 2 (both languages), the first museum lesson (English).
const presenterShots = new Map();
const second = lessons.find((l) => l.order === 2);
if (second) presenterShots.set(second.id, ['en', 'zh']);
const firstMuseum = lessons.find(museum);
if (firstMuseum) presenterShots.set(firstMuseum.id, [...(presenterShots.get(firstMuseum.id) ?? []), 'en']);

let server;
let browser;

before(async () => {
  server = await serveDist(DIST);
  browser = await launch();
  await mkdir(SHOTS, { recursive: true });
  await mkdir('target/e2e', { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const lessonAttr = (page, name) => page.locator('[data-testid="lesson"]').getAttribute(name);

/**
 * Whether `shown` is the lesson text `template` as the app shows it: each
 * `{control:name}` filled with that control's label (the app's
 * translation table; any label here, the i18n test checks which).
 */
function asShown(shown, template) {
  const esc = template.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\{control:[a-z-]+\\\}/g, '[^{}]+?');
  return new RegExp(`^${esc}$`, 's').test(shown);
}

/** The page with the app loaded (and the course read), in `lang`. */
async function open(url) {
  const opened = await openPage(browser, url);
  await opened.page.locator('svg.cluster').waitFor({ timeout: 15000 });
  return opened;
}

/** Opens `lesson` from the Course outline and checks the outline entry. */
async function openFromCourse(page, lesson, lang) {
  await page.locator('[data-testid="course"]').click();
  const entry = page.locator(`[data-testid="open-${lesson.id}"]`);
  await entry.waitFor({ timeout: 10000 });
  const label = await entry.textContent();
  assert.ok(label.includes(lesson.title[lang]), `the outline shows "${lesson.title[lang]}": ${label}`);
  assert.ok(label.includes(String(lesson.minutes)), `the outline shows ${lesson.minutes} minutes: ${label}`);
  await entry.click();
  await waitUntil(async () => (await page.locator('[data-testid="lesson"]').count()) === 1, 'the lesson panel');
  assert.equal(await page.locator('[data-testid="lesson-title"]').textContent(), lesson.title[lang]);
}

/**
 * Walks the open lesson to its end: picks the first choice, skips try-its,
 * jumps over a run a violation paused. Returns the answers marked, and
 * calls `atFirstReveal()` once, at the first question's reveal.
 */
async function walk(page, lesson, lang, atFirstReveal) {
  const marked = [];
  let revealedOnce = false;
  for (let k = 0; k < lesson.steps.length; k++) {
    const step = lesson.steps[k];
    await waitUntil(async () => (await lessonAttr(page, 'data-step')) === String(k + 1), `${lesson.id} step ${k + 1}`);
    const deadline = Date.now() + 60000;
    for (;;) {
      assert.ok(Date.now() < deadline, `${lesson.id} (${lang}) step ${k + 1} never settled: ${await lessonAttr(page, 'data-phase')}`);
      // Phase and playing read together: read one by one, a frame could
      // land between them (the run arriving: "running" then "not playing")
      // and Next would skip the step just reached.
      const [phase, playing] = await page
        .locator('[data-testid="lesson"]')
        .evaluate((el) => [el.getAttribute('data-phase'), el.getAttribute('data-playing')]);
      if (phase === 'running') {
        // Playing towards the step's moment: wait. Paused on the way (a
        // violation or a hazard): Next goes there.
        if (playing === 'false') await page.locator('[data-testid="lesson-next"]').click();
        else await page.waitForTimeout(30);
      } else if (phase === 'trying') {
        await page.locator('[data-testid="lesson-skip"]').click();
      } else if (phase === 'asking') {
        await page.locator('[data-testid="choice-0"]').click();
      } else if (phase === 'revealed' || phase === 'shown') {
        break;
      } else {
        throw new Error(`unknown phase ${phase}`);
      }
    }
    const narration = await page.locator('[data-testid="lesson-text"]').textContent();
    assert.ok(asShown(narration, step.text[lang]), `${lesson.id} (${lang}) step ${k + 1} shows its narration: ${narration}`);
    if (step.question) {
      assert.equal(await lessonAttr(page, 'data-phase'), 'revealed', `${lesson.id} step ${k + 1} has a question`);
      const answer = await page.locator('[data-testid="lesson-answer"]').getAttribute('data-value');
      const correct = page.locator('.choice.correct');
      assert.equal(await correct.count(), 1, `${lesson.id} step ${k + 1}: one choice marked correct (the simulation answered ${answer})`);
      const value = await correct.getAttribute('data-value');
      assert.equal(value, answer, 'the marked choice is the simulation\'s answer');
      assert.equal(value, step.question.expect, `${lesson.id} (${lang}) step ${k + 1}: the simulation marked "${value}", the lesson explains "${step.question.expect}"`);
      const explanation = await page.locator('[data-testid="lesson-explanation"]').textContent();
      assert.ok(asShown(explanation, step.question.explanation[lang]), `${lesson.id} step ${k + 1} shows its explanation: ${explanation}`);
      assert.equal(await page.locator('[data-testid="lesson-differs"]').count(), 0);
      marked.push(value);
      if (!revealedOnce) {
        revealedOnce = true;
        await atFirstReveal();
      }
    }
    if (k + 1 < lesson.steps.length) await page.locator('[data-testid="lesson-next"]').click();
  }
  return marked;
}

/** Presenter mode at 1280x720: the ensemble and the narration, readable. */
async function presenterShot(page, path) {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.keyboard.press('p');
  await page.locator('.lesson-presenter').waitFor({ timeout: 5000 });
  assert.equal(await page.locator('[data-testid="play"]').count(), 0, 'no transport in a presented lesson');
  assert.equal(await page.locator('[role="tablist"]').count(), 0, 'no side panels');
  const px = await page.locator('[data-testid="lesson-text"]').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  assert.ok(px >= 24, `the narration is large (${px}px)`);
  for (const sel of ['svg.cluster', '[data-testid="lesson"]']) {
    const box = await page.locator(sel).boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 1281 && box.y >= 0, `${sel} fits 1280 px across: ${JSON.stringify(box)}`);
  }
  // The step is cut into pages once the panel has measured itself: the
  // picture waits until every block on the page shown fits the panel.
  await waitUntil(() => page.locator('[data-testid="lesson"]').evaluate((el) => {
    const body = el.querySelector('.lesson-body').getBoundingClientRect();
    return [...el.querySelectorAll('.lesson-body > .block')].every((b) => b.getBoundingClientRect().bottom <= body.bottom + 0.5);
  }), 'the presented step laid out in pages that fit', 5000);
  await page.waitForTimeout(100);
  await page.screenshot({ path });
  await page.keyboard.press('p');
  await page.setViewportSize(size);
}

/** Walks every step of `lesson` in `lang` from a fresh page; screenshots. */
async function walkLesson(baseUrl, lesson, lang, shots) {
  const { page, errors } = await open(`${baseUrl}#lang=${lang}`);
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.locator('[data-testid="speed"]').selectOption('100');
  await openFromCourse(page, lesson, lang);
  const marked = await walk(page, lesson, lang, async () => {
    if (!shots) return;
    // A notice (e.g. "loaded") would cover the shot; without one, go on at
    // once (a click on nothing would wait 30 s).
    const dismiss = page.locator('.notice .dismiss');
    if ((await dismiss.count()) > 0) await dismiss.first().click();
    await page.screenshot({ path: `${shots}/${lesson.id}-${lang}.png`, fullPage: true });
    if ((presenterShots.get(lesson.id) ?? []).includes(lang)) {
      await presenterShot(page, `${shots}/presenter-${pad(lesson.order)}-${lang}.png`);
    }
  });
  const expected = lesson.steps.filter((s) => s.question).map((s) => s.question.expect);
  assert.deepEqual(marked, expected);
  // The URL says where the learner is, in their language.
  assert.match(page.url(), new RegExp(`#lesson=${lesson.id}&step=${lesson.steps.length}&lang=${lang}$`));
  assert.deepEqual(errors, []);
  await page.close();
}

test(`the course outline lists the ${lessons.length} lesson(s) of static/lessons/index.json, in both languages`, async () => {
  for (const lang of LANGS) {
    const { page, errors } = await open(`${server.url}#lang=${lang}`);
    await page.locator('[data-testid="course"]').click();
    const outline = page.locator('[data-testid="course-outline"]');
    await outline.waitFor({ timeout: 5000 });
    if (lessons.length === 0) {
      await page.locator('[data-testid="course-empty"]').waitFor({ timeout: 5000 });
      console.log(`no lessons in static/lessons/index.json yet (${lang}): the outline says so`);
    } else {
      await waitUntil(async () => (await outline.locator('[data-testid^="open-"]').count()) === lessons.length, `${lessons.length} lessons listed`);
      for (const l of lessons) assert.ok((await outline.textContent()).includes(l.title[lang]), l.title[lang]);
    }
    assert.deepEqual(errors, []);
    await page.close();
  }
});

for (const lesson of lessons) {
  for (const lang of LANGS) {
    test(`lesson ${lesson.id} (${lang}): every question marks the lesson's expected answer, computed from the run`, async () => {
      await walkLesson(server.url, lesson, lang, SHOTS);
    });
  }
}

test('the walker itself, on the fixture lesson served as the course (both languages; a lesson link; a broken one)', async () => {
  const fixture = JSON.parse(await readFile('web/tests/fixture-lesson.json', 'utf8'));
  const context = await browser.newContext();
  await context.route('**/lessons/index.json', (r) => r.fulfill({ contentType: 'application/json', body: JSON.stringify({ zablab_lessons: 1, lessons: ['fixture.json'] }) }));
  await context.route('**/lessons/fixture.json', (r) => r.fulfill({ contentType: 'application/json', body: JSON.stringify(fixture) }));
  const saved = browser;
  browser = context; // open() uses browser.newPage()
  try {
    for (const lang of LANGS) await walkLesson(server.url, fixture, lang, null);
    // A link to step 4 opens there; the learner's own action answers the
    // question (not the lesson's expectation).
    const { page, errors } = await open(`${server.url}#lesson=fixture&step=4&lang=en`);
    await waitUntil(async () => (await page.locator('[data-testid="lesson"]').count()) === 1 && (await lessonAttr(page, 'data-phase')) === 'trying', 'step 4 waits for the learner');
    await page.locator('[data-testid="lesson-skip"]').click();
    await page.locator('[data-testid="choice-0"]').click();
    await waitUntil(async () => (await lessonAttr(page, 'data-phase')) === 'revealed', 'the reveal');
    assert.equal(await page.locator('.choice.correct').getAttribute('data-value'), '2');
    await page.screenshot({ path: 'target/e2e/lesson-fixture.png', fullPage: true });
    // A lesson that is not in the course: said, and a working ensemble.
    const broken = await open(`${server.url}#lesson=nope&step=1`);
    await waitUntil(async () => (await broken.page.locator('[data-testid="error"]').count()) > 0, 'an error');
    assert.match(await broken.page.locator('[data-testid="error"]').textContent(), /lesson “nope”, which is not in this course/);
    assert.deepEqual(errors, []);
    await page.close();
    await broken.page.close();
  } finally {
    browser = saved;
    await context.close();
  }
});
