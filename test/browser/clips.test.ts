/*
 * Animated-WebP clips (how SVD videos are saved) in the viewer: a slideshow moves past them after one
 * loop (nothing fires `ended` for an image), and the clip player pauses, steps frame by frame and scrubs,
 * with frames decoded by Chromium's ImageDecoder (each frame here is one solid colour).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { COLOURS, indexedTotal, openPage, PHONE, shoot, tileOf, writeClip, writeImage } from './fixtures.js';
import { startStack, waitFor, type Stack } from '../harness/stack.js';

let stack: Stack;
let browser: Browser;
const ids: Record<'after' | 'clip' | 'before', string> = { after: '', clip: '', before: '' };
const FRAMES = 6;
const FRAME_MS = 200;

beforeAll(async () => {
  stack = await startStack('browser-clips', { noWorker: true });
  browser = await launchChromium();
  // Newest first in the gallery: a picture, the clip, another picture.
  ids.before = await writeImage(stack, 'clips/before.png', { meta: { prompt: 'a still before the clip' }, at: new Date(2025, 0, 1, 12, 2), colour: 2 });
  ids.clip = await writeClip(stack, 'clips/svd_00001_.webp', { frames: FRAMES, frameMs: FRAME_MS, at: new Date(2025, 0, 1, 12, 1) });
  ids.after = await writeImage(stack, 'clips/after.png', { meta: { prompt: 'a still after the clip' }, at: new Date(2025, 0, 1, 12, 0), colour: 3 });
  await waitFor(async () => (await indexedTotal(stack)) === 3, 30000, 'the three files indexed');
}, 60000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const title = (page: Page) => page.getByTestId('viewer-title').getAttribute('data-asset-id');
const player = (page: Page) => page.getByTestId('clip-player');
const frameOf = async (page: Page) => Number(await player(page).getAttribute('data-frame'));

/** The colour in the middle of the player's canvas. */
async function canvasColour(page: Page): Promise<number[]> {
  return page.getByTestId('clip-canvas').evaluate((el) => {
    const c = el as HTMLCanvasElement;
    return [...c.getContext('2d')!.getImageData(Math.floor(c.width / 2), Math.floor(c.height / 2), 1, 1).data.slice(0, 3)];
  });
}

const near = (a: number[], b: readonly number[]) => a.every((v, i) => Math.abs(v - b[i]!) <= 12);

describe('animated-WebP clips in the viewer', () => {
  it('indexes the clip as a video with its frames and duration', async () => {
    const asset = (await (await fetch(`${stack.url}/api/assets/${ids.clip}`)).json()) as { type: string; mimeType: string; frames: number; durationMs: number };
    expect(asset).toMatchObject({ type: 'video', mimeType: 'image/webp', frames: FRAMES, durationMs: FRAMES * FRAME_MS });
  });

  it('a slideshow moves on past the clip after one loop', async () => {
    const { page, errors } = await openPage(browser, stack.url);
    await tileOf(page, ids.before).dblclick();
    await waitFor(async () => (await title(page)) === ids.before, 10000, 'the viewer on the first picture');
    await page.getByTestId('slideshow-interval').selectOption('2000');
    await page.getByTestId('slideshow-toggle').click();
    await waitFor(async () => (await title(page)) === ids.clip, 5000, 'the slideshow on the clip');
    const reached = Date.now();
    // One loop of 6 × 200 ms: the slideshow must not wait for an `ended` that never comes.
    await waitFor(async () => (await title(page)) === ids.after, 5000, 'the slideshow past the clip');
    const stayed = Date.now() - reached;
    expect(stayed).toBeGreaterThanOrEqual(FRAMES * FRAME_MS - 300);
    expect(stayed).toBeLessThan(FRAMES * FRAME_MS + 2000);
    // The last item ends the slideshow.
    await waitFor(async () => (await page.getByTestId('slideshow-toggle').getAttribute('aria-pressed')) === 'false', 5000, 'the slideshow stopped at the end');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('plays, pauses, steps frame by frame (buttons and ←/→ while paused) and scrubs', async () => {
    const { page, errors } = await openPage(browser, stack.url);
    await tileOf(page, ids.clip).dblclick();
    await player(page).waitFor({ timeout: 10000 });
    // Chromium decodes the frames itself: the player runs, it does not fall back to an <img>.
    await waitFor(async () => (await player(page).getAttribute('data-state')) === 'playing', 10000, 'the clip playing');
    const seen = new Set<number>();
    await waitFor(async () => {
      seen.add(await frameOf(page));
      return seen.size >= 3;
    }, 5000, 'frames moving while playing');

    const play = page.getByTestId('clip-play');
    await play.click();
    await expect(player(page).getAttribute('data-state')).resolves.toBe('paused');
    await expect(play.getAttribute('aria-label')).resolves.toBe('Play');
    const paused = await frameOf(page);
    await page.waitForTimeout(3 * FRAME_MS);
    expect(await frameOf(page)).toBe(paused);
    await waitFor(async () => near(await canvasColour(page), COLOURS[paused]!), 3000, 'the paused frame drawn');

    // ←/→ with focus on the player step frames (and do not move the viewer to another item).
    await page.keyboard.press('ArrowRight');
    const next = (paused + 1) % FRAMES;
    expect(await frameOf(page)).toBe(next);
    await waitFor(async () => near(await canvasColour(page), COLOURS[next]!), 3000, 'the next frame drawn');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    expect(await frameOf(page)).toBe((paused + FRAMES - 1) % FRAMES);
    expect(await title(page)).toBe(ids.clip);

    await page.getByTestId('clip-step-forward').click();
    expect(await frameOf(page)).toBe(paused);
    await page.getByTestId('clip-scrub').fill('4');
    expect(await frameOf(page)).toBe(4);
    await waitFor(async () => near(await canvasColour(page), COLOURS[4]!), 3000, 'the scrubbed-to frame drawn');
    await expect(page.getByTestId('clip-position').textContent()).resolves.toContain(`5 / ${FRAMES}`);
    await shoot(page, 'clip-player-1440.png');

    // Play again; while playing the arrows are the viewer's again.
    await play.click();
    await waitFor(async () => (await frameOf(page)) !== 4, 3000, 'playing again');
    await page.keyboard.press('ArrowRight');
    await waitFor(async () => (await title(page)) === ids.after, 5000, 'ArrowRight to the next item while playing');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('zooms like the image viewer: buttons, +/−/0 keys, the wheel around the pointer, and drag to pan while zoomed', async () => {
    // A clip bigger than the stage (fitted below its own size), so a zoomed view has room to pan; the
    // oldest item, last in the gallery.
    const big = await writeClip(stack, 'clips/svd_big_00001_.webp', { frames: 3, frameMs: FRAME_MS, at: new Date(2024, 0, 1), w: 1200, h: 800 });
    await waitFor(async () => (await indexedTotal(stack)) === 4, 30000, 'the big clip indexed');
    const { page, errors } = await openPage(browser, stack.url);
    await tileOf(page, big).dblclick();
    await waitFor(async () => (await player(page).getAttribute('data-state')) === 'playing', 10000, 'the clip playing');
    await page.getByTestId('clip-play').click(); // paused: the frame under test stays put
    const canvas = page.getByTestId('clip-canvas');
    const transform = () => canvas.evaluate((el) => (el as HTMLElement).style.transform);
    const scale = async () => Number(/scale\(([\d.]+)\)/.exec(await transform())?.[1] ?? 'NaN');
    const reset = page.getByTestId('clip-zoom-reset');
    await expect(reset.textContent()).resolves.toBe('100%');
    const fitted = (await canvas.boundingBox())!;

    await page.getByTestId('clip-zoom-in').click();
    await page.getByTestId('clip-zoom-in').click();
    await expect(reset.textContent()).resolves.toBe('156%');
    expect((await canvas.boundingBox())!.width).toBeCloseTo(fitted.width * 1.5625, 0);
    await page.getByTestId('clip-zoom-out').click();
    await expect(reset.textContent()).resolves.toBe('125%');
    await reset.click();
    expect(await scale()).toBe(1);

    // The viewer's keys, with focus in the dialog (not in a control).
    await page.getByTestId('viewer').focus();
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    await waitFor(async () => (await scale()) > 1.5, 2000, '+ zooms in');
    expect(await title(page)).toBe(big);
    await page.keyboard.press('-');
    await waitFor(async () => Math.abs((await scale()) - 1.25) < 0.01, 2000, '− zooms out');
    await page.keyboard.press('0');
    await waitFor(async () => (await scale()) === 1, 2000, '0 fits again');

    // The wheel zooms around the pointer: the point under it stays; then a drag pans.
    const box = (await page.getByTestId('clip-stage').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2 + 60, box.y + box.height / 2);
    for (let i = 0; i < 4; i++) await page.mouse.wheel(0, -200);
    await waitFor(async () => (await scale()) > 2, 2000, 'the wheel zooms in');
    const before = (await canvas.boundingBox())!;
    expect(before.x + before.width / 2).toBeLessThan(box.x + box.width / 2); // zoomed around a point right of centre
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 160, box.y + box.height / 2 + 40, { steps: 5 });
    await page.mouse.up();
    const after = (await canvas.boundingBox())!;
    expect(after.x - before.x).toBeGreaterThan(20);
    expect(await title(page)).toBe(big); // a drag while zoomed is a pan, not a swipe to the next item
    // Frame steps still work while zoomed, and the zoom stays.
    const at = await frameOf(page);
    await page.getByTestId('clip-step-forward').click();
    expect(await frameOf(page)).toBe((at + 1) % 3);
    expect(await scale()).toBeGreaterThan(2);
    await shoot(page, 'clip-zoom-1440.png');
    await page.getByTestId('clip-stage').dblclick();
    await waitFor(async () => (await scale()) === 1, 2000, 'double-click fits again');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('fits a phone', { timeout: 60_000 }, async () => {
    const { page, errors } = await openPage(browser, stack.url, PHONE);
    // Once, in a loaded CI run, this test spent its whole budget in some action: name it if it happens again.
    page.setDefaultTimeout(20_000);
    await page.getByRole('tab', { name: 'Canvas' }).click();
    await tileOf(page, ids.clip).dblclick();
    await waitFor(async () => (await player(page).getAttribute('data-state')) === 'playing', 10000, 'the clip playing');
    await page.getByTestId('clip-play').click();
    for (const id of ['clip-step-back', 'clip-play', 'clip-step-forward', 'clip-scrub', 'clip-zoom-in']) {
      const box = await page.getByTestId(id).boundingBox();
      expect(box, id).not.toBeNull();
      expect(box!.x + box!.width, id).toBeLessThanOrEqual(PHONE.width);
    }
    await shoot(page, 'clip-player-390.png');
    expect(errors).toEqual([]);
    await page.close();
  });
});

