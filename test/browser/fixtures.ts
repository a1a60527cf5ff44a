/*
 * What the browser tests of the gallery and the Create panel share: a page that records its uncaught
 * errors, screenshots, and media files written straight into OUTPUT_PATH (as a worker or ComfyUI leaves
 * them) for the server's watcher to index.
 */
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { assetIdForPath, type GenerationMeta } from '@orchestrator/shared';
import { encodePng } from '../fakes/comfyui/png.js';
import { writeWebp } from '../fakes/comfyui/webp.js';
import type { Stack } from '../harness/stack.js';

export const SHOTS = process.env.SCREENSHOT_DIR ?? path.join(tmpdir(), 'issue10-shots');

export const DESKTOP = { width: 1440, height: 900 };
export const PHONE = { width: 390, height: 844 };

export async function openPage(browser: Browser, url: string, viewport = DESKTOP): Promise<{ page: Page; errors: string[] }> {
  const phone = viewport.width < 500;
  const page = await browser.newPage({ viewport, ...(phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}) });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  return { page, errors };
}

export async function shoot(page: Page, name: string): Promise<void> {
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, name) });
}

/** RGB of frame or picture `n`: far apart, so a test can tell them by one pixel. */
export const COLOURS: ReadonlyArray<readonly [number, number, number]> = [
  [220, 40, 40],
  [40, 200, 60],
  [40, 80, 230],
  [230, 210, 40],
  [200, 50, 210],
  [40, 210, 210],
];

const solid = (rgb: readonly [number, number, number], w: number) => (_y: number, row: Buffer) => {
  for (let x = 0; x < w; x++) row.set(rgb, x * 3);
};

async function place(stack: Stack, relPath: string, bytes: Buffer | null, at: Date): Promise<string> {
  const file = path.join(stack.config.outputPath, relPath);
  await mkdir(path.dirname(file), { recursive: true });
  if (bytes) await writeFile(file, bytes);
  await utimes(file, at, at);
  return assetIdForPath(relPath);
}

/** A PNG of one colour with GenerationMeta in its `orchestrator` chunk (or other text chunks), dated `at`. */
export async function writeImage(
  stack: Stack,
  relPath: string,
  o: { meta?: GenerationMeta; text?: Record<string, string>; at: Date; w?: number; h?: number; colour?: number },
): Promise<string> {
  const w = o.w ?? 32;
  const h = o.h ?? 32;
  const texts: Array<[string, string]> = [...(o.meta ? [['orchestrator', JSON.stringify(o.meta)] as [string, string]] : []), ...Object.entries(o.text ?? {})];
  return place(stack, relPath, encodePng(w, h, solid(COLOURS[(o.colour ?? 0) % COLOURS.length]!, w), texts), o.at);
}

/** An animated WebP (as ComfyUI's SaveAnimatedWEBP writes SVD output): frame n in COLOURS[n]. */
export async function writeClip(stack: Stack, relPath: string, o: { frames: number; frameMs: number; at: Date; w?: number; h?: number }): Promise<string> {
  const w = o.w ?? 48;
  const h = o.h ?? 32;
  const file = path.join(stack.config.outputPath, relPath);
  await mkdir(path.dirname(file), { recursive: true });
  await writeWebp(file, w, h, o.frames, (f) => solid(COLOURS[f % COLOURS.length]!, w), o.frameMs, null);
  return place(stack, relPath, null, o.at);
}

/** How many assets the server has indexed (-1 while it cannot answer). */
export async function indexedTotal(stack: Stack, query = ''): Promise<number> {
  const res = await fetch(`${stack.url}/api/assets?limit=1${query}`);
  if (!res.ok) return -1;
  return ((await res.json()) as { total?: number }).total ?? -1;
}

/** The tile of one asset. */
export const tileOf = (page: Page, id: string) => page.locator(`[data-testid="asset-tile"][data-asset-id="${id}"]`);

/**
 * The desktop's left panel opens on the chat; the generation forms are its Form tab (remembered across
 * reloads). A no-op on a phone, whose Create tab the tests open themselves.
 */
export async function openForm(page: Page): Promise<void> {
  const form = page.getByTestId('left-tab-form');
  await form.or(page.getByRole('tab', { name: 'Canvas' })).first().waitFor({ timeout: 15000 });
  if (await form.isVisible()) await form.click();
}
