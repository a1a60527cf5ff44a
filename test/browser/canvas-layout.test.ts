/*
 * The Canvas while jobs come and go, and its tiles: jobs sit in a tray over the gallery, so the toolbar
 * and the grid never move when a job starts or ends (a strip above them used to push them down by up to
 * ~330 px); tiles keep their pictures' shape ("fit") or fill their box ("fill"), remembered; each has
 * a caption; the model filter reads friendly names and filters by the real one. No worker runs: jobs
 * stay queued until they are cancelled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { indexedTotal, openPage, PHONE, shoot, tileOf, writeImage } from './fixtures.js';
import { startStack, waitFor, type Stack } from '../harness/stack.js';
import { jobsOver } from '../harness/jobs.js';

let stack: Stack;
let browser: Browser;
const ids: Record<string, string> = {};
const MODEL = 'sd_xl_base_1.0.safetensors';
const NESTED = 'SDXL/juggernaut_v9.safetensors';

beforeAll(async () => {
  stack = await startStack('browser-canvas-layout', { noWorker: true });
  browser = await launchChromium();
  ids.wide = await writeImage(stack, 'layout/wide.png', { meta: { model: MODEL, prompt: 'a wide valley under a long red sky, panoramic' }, at: new Date(2025, 2, 1, 9, 3), w: 96, h: 32, colour: 0 });
  ids.tall = await writeImage(stack, 'layout/tall.png', { meta: { model: NESTED, prompt: 'a tall tower' }, at: new Date(2025, 2, 1, 9, 2), w: 32, h: 96, colour: 1 });
  ids.square = await writeImage(stack, 'layout/square.png', { meta: { model: MODEL, prompt: 'a square garden' }, at: new Date(2025, 2, 1, 9, 1), colour: 2 });
  ids.plain = await writeImage(stack, 'layout/IMG_0042.png', { at: new Date(2025, 2, 1, 9, 0), colour: 3 });
  await waitFor(async () => (await indexedTotal(stack)) === 4, 30000, 'the files indexed');
}, 60000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const jobs = jobsOver((p, init) => fetch(`${stack.url}${p}`, init));
const submit = (prompt: string) => jobs.submit({ provider: 'comfyui', kind: 'image', prompt, params: { steps: 4, width: 64, height: 64 } });

const cancel = (id: string) => fetch(`${stack.url}/api/jobs/${id}`, { method: 'DELETE' });
const top = async (page: Page, testId: string) => (await page.getByTestId(testId).boundingBox())!.y;
const gridTop = (page: Page) => page.getByTestId('gallery-grid').evaluate((el) => el.getBoundingClientRect().top);

describe('the Canvas layout while jobs come and go', () => {
  it('keeps the toolbar and the grid in place as jobs start and end; the tray folds; the Queue toggle still works', async () => {
    const { page, errors } = await openPage(browser, stack.url);
    await tileOf(page, ids.wide!).waitFor({ timeout: 15000 });
    const before = { toolbar: await top(page, 'filter-type-all'), grid: await gridTop(page), tile: (await tileOf(page, ids.wide!).boundingBox())!.y };

    const jobs = [];
    for (let i = 0; i < 5; i++) jobs.push(await submit(`queued job ${i}: a lighthouse, a long prompt that goes on and on`));
    const cards = page.getByTestId('job-card');
    await waitFor(async () => (await cards.count()) === 5, 10000, 'five job cards');
    const tray = page.getByTestId('job-tray');
    await expect(tray.textContent()).resolves.toContain('5 queued');
    expect(await top(page, 'filter-type-all')).toBe(before.toolbar);
    expect(await gridTop(page)).toBe(before.grid);
    expect((await tileOf(page, ids.wide!).boundingBox())!.y).toBe(before.tile);
    // One row of cards that scrolls sideways, over the bottom of the gallery.
    const boxes = await Promise.all([0, 1].map(async (i) => (await cards.nth(i).boundingBox())!));
    expect(boxes[1]!.y).toBe(boxes[0]!.y);
    const gridBox = (await page.getByTestId('gallery-grid').boundingBox())!;
    const trayBox = (await tray.boundingBox())!;
    expect(trayBox.y + trayBox.height).toBeLessThanOrEqual(gridBox.y + gridBox.height);
    await shoot(page, 'job-tray-1440.png');

    // Folded: only its bar; the toolbar does not move either way.
    const toggle = page.getByTestId('job-tray-toggle');
    await toggle.click();
    await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('false');
    expect(await cards.count()).toBe(0);
    expect(await top(page, 'filter-type-all')).toBe(before.toolbar);
    await toggle.click();
    await waitFor(async () => (await cards.count()) === 5, 5000, 'the cards back');

    // The Queue panel opens beside the gallery as before.
    const queue = page.getByTestId('queue-toggle');
    await queue.click();
    await expect(queue.getAttribute('aria-expanded')).resolves.toBe('true');
    await page.getByTestId('queue-panel').waitFor({ timeout: 10000 });
    expect(await top(page, 'filter-type-all')).toBe(before.toolbar);
    await queue.click();
    await waitFor(async () => (await page.getByTestId('queue-panel').count()) === 0, 5000, 'the queue panel closed');

    // Jobs end: the cards go, nothing else moves.
    for (const id of jobs.slice(0, 4)) await cancel(id);
    await waitFor(async () => (await cards.count()) === 1, 10000, 'one card left');
    expect(await top(page, 'filter-type-all')).toBe(before.toolbar);
    await cancel(jobs[4]!);
    await waitFor(async () => (await tray.count()) === 0, 10000, 'the tray gone');
    expect(await top(page, 'filter-type-all')).toBe(before.toolbar);
    expect(await gridTop(page)).toBe(before.grid);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the tray on a phone without covering the tabs', async () => {
    const job = await submit('a phone-sized job card');
    const { page, errors } = await openPage(browser, stack.url, PHONE);
    await page.getByRole('tab', { name: 'Canvas' }).click();
    await page.getByTestId('job-card').waitFor({ timeout: 10000 });
    const card = (await page.getByTestId('job-card').boundingBox())!;
    expect(card.x + card.width).toBeLessThanOrEqual(PHONE.width);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await shoot(page, 'job-tray-390.png');
    // A tap on a tile opens the Inspector tab, with its actions (Variations among them) on screen.
    await tileOf(page, ids.square!).click();
    await page.getByTestId('inspector-variations').waitFor({ timeout: 5000 });
    const variations = (await page.getByTestId('inspector-variations').boundingBox())!;
    expect(variations.x + variations.width).toBeLessThanOrEqual(PHONE.width);
    await shoot(page, 'inspector-390.png');
    await cancel(job);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('tiles', () => {
  const fitOf = (page: Page, id: string) => tileOf(page, id).locator('img').evaluate((el) => getComputedStyle(el).objectFit);
  const drawnBox = (page: Page, id: string) =>
    tileOf(page, id)
      .locator('img')
      .evaluate((el) => {
        const img = el as HTMLImageElement;
        const scale = Math.min(img.clientWidth / img.naturalWidth, img.clientHeight / img.naturalHeight);
        return { w: img.naturalWidth * scale, h: img.naturalHeight * scale, box: { w: img.clientWidth, h: img.clientHeight } };
      });

  it('keep their pictures’ shape or fill the box, remembered; each has a caption', async () => {
    const { page, errors } = await openPage(browser, stack.url);
    for (const id of Object.values(ids)) await tileOf(page, id).waitFor({ timeout: 15000 });
    await waitFor(async () => tileOf(page, ids.wide!).locator('img').evaluate((el) => (el as HTMLImageElement).naturalWidth > 0), 10000, 'thumbnails loaded');

    // Fit (the default): the whole picture, in its own proportions.
    await expect(page.getByTestId('tile-fit-fit').getAttribute('aria-pressed')).resolves.toBe('true');
    expect(await fitOf(page, ids.wide!)).toBe('contain');
    const wide = await drawnBox(page, ids.wide!);
    expect(wide.w / wide.h).toBeCloseTo(3, 1);
    const tall = await drawnBox(page, ids.tall!);
    expect(tall.h / tall.w).toBeCloseTo(3, 1);

    // Captions: the prompt's start, else the file name.
    await expect(tileOf(page, ids.wide!).getByTestId('tile-caption').textContent()).resolves.toBe('a wide valley under a long red sky, panoramic');
    await expect(tileOf(page, ids.plain!).getByTestId('tile-caption').textContent()).resolves.toBe('IMG_0042.png');
    const caption = (await tileOf(page, ids.square!).getByTestId('tile-caption').boundingBox())!;
    const picture = (await tileOf(page, ids.square!).locator('img').boundingBox())!;
    expect(caption.y).toBeGreaterThanOrEqual(picture.y + picture.height - 1);
    await shoot(page, 'tiles-fit-1440.png');

    await page.getByTestId('tile-fit-fill').click();
    expect(await fitOf(page, ids.wide!)).toBe('cover');
    await shoot(page, 'tiles-fill-1440.png');
    await page.reload();
    await tileOf(page, ids.wide!).waitFor({ timeout: 15000 });
    expect(await fitOf(page, ids.wide!)).toBe('cover');
    await expect(page.getByTestId('tile-fit-fill').getAttribute('aria-pressed')).resolves.toBe('true');
    await page.getByTestId('tile-fit-fit').click();
    expect(await fitOf(page, ids.wide!)).toBe('contain');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('filter by model under friendly names', async () => {
    const { page, errors } = await openPage(browser, stack.url);
    await tileOf(page, ids.wide!).waitFor({ timeout: 15000 });
    const filter = page.getByTestId('model-filter');
    const options = await filter.locator('option').evaluateAll((els) => els.map((e) => ({ value: (e as HTMLOptionElement).value, text: e.textContent })));
    expect(options).toEqual([
      { value: '', text: 'All models' },
      { value: NESTED, text: 'juggernaut_v9 (1)' },
      { value: MODEL, text: 'sd_xl_base_1.0 (2)' },
    ]);
    await filter.selectOption(NESTED);
    await waitFor(async () => (await page.getByTestId('asset-tile').count()) === 1, 10000, 'one tile for the nested model');
    expect(await tileOf(page, ids.tall!).count()).toBe(1);
    expect(new URL(page.url()).searchParams.get('model')).toBe(NESTED);
    expect(errors).toEqual([]);
    await page.close();
  });
});
