/*
 * The Canvas gallery in Chromium against the real server: files written into OUTPUT_PATH (PNG with
 * our metadata chunk, as a worker or ComfyUI leaves them) are indexed by the server's watcher and
 * must then be filterable, searchable, viewable and deletable in the page, and a few thousand of them
 * must scroll with a small, bounded DOM.
 */
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { assetIdForPath, type GenerationMeta } from '@orchestrator/shared';
import { launchChromium } from './chromium.js';
import { encodePng } from '../fakes/comfyui/png.js';
import { startStack, waitFor, type Stack } from '../harness/stack.js';

let stack: Stack;
let browser: Browser;
const SHOTS = process.env.SCREENSHOT_DIR ?? path.join(tmpdir(), 'orchestrator-gallery-shots');

const MODEL_A = 'sd_xl_base_1.0.safetensors';
const MODEL_B = 'dreamshaper_8.safetensors';

/** A small real PNG carrying GenerationMeta in its `orchestrator` text chunk, dated `at`. */
async function writeAsset(relPath: string, meta: GenerationMeta, at: Date, size = 24): Promise<string> {
  const file = path.join(stack.config.outputPath, relPath);
  await mkdir(path.dirname(file), { recursive: true });
  const seed = meta.seed ?? 0;
  const png = encodePng(size, size, (y, row) => {
    for (let x = 0; x < size; x++) row.set([(seed * 37 + x * 9) & 255, (y * 11 + seed) & 255, (seed * 5) & 255], x * 3);
  }, [['orchestrator', JSON.stringify(meta)]]);
  await writeFile(file, png);
  await utimes(file, at, at);
  return assetIdForPath(relPath);
}

async function indexedTotal(query = ''): Promise<number> {
  const res = await fetch(`${stack.url}/api/assets?limit=1${query}`);
  if (!res.ok) return -1;
  return ((await res.json()) as { total?: number }).total ?? -1;
}

const tiles = (page: Page) => page.getByTestId('asset-tile');
const tileIds = (page: Page) => tiles(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-asset-id')));
const gridNodes = (page: Page) => page.getByTestId('gallery-grid').evaluate((el) => el.querySelectorAll('*').length);

async function openPage(viewport = { width: 1440, height: 900 }, search = ''): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport, acceptDownloads: true });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${stack.url}/${search}`);
  await tiles(page).first().waitFor({ timeout: 15000 });
  return { page, errors };
}

beforeAll(async () => {
  stack = await startStack('gallery', { noWorker: true });
  browser = await launchChromium();
  await mkdir(SHOTS, { recursive: true });
}, 60000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('the Canvas gallery, driven in Chromium', () => {
  // 24 images over two days: even ones lighthouses (model A), odd ones foxes (model B); gal_23 newest.
  const ids: string[] = [];
  const name = (i: number) => `gal_${String(i).padStart(2, '0')}.png`;

  it('filters by type, search, model and date, sorts, and keeps the view in the URL', async () => {
    for (let i = 0; i < 24; i++) {
      const lighthouse = i % 2 === 0;
      ids.push(
        await writeAsset(
          name(i),
          {
            provider: 'comfyui',
            model: lighthouse ? MODEL_A : MODEL_B,
            prompt: lighthouse ? `a lighthouse at dusk, study ${i}` : `a red fox in the snow, study ${i}`,
            negativePrompt: 'blurry',
            seed: 1000 + i,
            steps: 20,
            cfg: 7,
            sampler: 'euler',
            scheduler: 'normal',
            width: 24,
            height: 24,
          },
          new Date(2025, 2, i < 12 ? 1 : 2, 8 + (i % 12), 0, 0),
        ),
      );
    }
    await waitFor(async () => (await indexedTotal()) === 24, 30000, 'the 24 files to be indexed');

    const { page, errors } = await openPage();
    await waitFor(async () => (await page.getByTestId('gallery-count').textContent())?.includes('24 items'), 10000, 'the count');
    expect((await tileIds(page))[0]).toBe(ids[23]); // newest first

    await page.getByTestId('filter-type-video').click();
    await waitFor(async () => (await tiles(page).count()) === 0, 10000, 'no videos');
    expect(new URL(page.url()).searchParams.get('type')).toBe('video');
    await page.getByTestId('filter-type-all').click();
    await waitFor(async () => (await tiles(page).count()) === 24, 10000, 'all again');

    await page.getByTestId('search-input').fill('lighthouse');
    await waitFor(async () => (await tiles(page).count()) === 12, 10000, 'the search to narrow the grid');
    expect(new URL(page.url()).searchParams.get('q')).toBe('lighthouse');
    const labels = await tiles(page).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    expect(labels.every((l) => l.includes('lighthouse'))).toBe(true);

    // A reload shows the same view; Back returns to the unfiltered one.
    await page.reload();
    await waitFor(async () => (await tiles(page).count()) === 12, 10000, 'the filtered view after reload');
    expect(await page.getByTestId('search-input').inputValue()).toBe('lighthouse');
    await page.goBack();
    await waitFor(async () => (await tiles(page).count()) === 24, 10000, 'the unfiltered view after Back');
    expect(await page.getByTestId('search-input').inputValue()).toBe('');

    await page.getByTestId('model-filter').selectOption(MODEL_B);
    await waitFor(async () => (await tiles(page).count()) === 12, 10000, 'the model filter');
    expect((await tileIds(page))[0]).toBe(ids[23]);

    await page.getByTestId('date-from').fill('2025-03-02');
    await waitFor(async () => (await tiles(page).count()) === 6, 10000, 'model and date filters combined');
    await page.getByTestId('date-from').fill('');
    await page.getByTestId('model-filter').selectOption('');

    await page.getByTestId('sort-select').selectOption('name');
    await waitFor(async () => (await tileIds(page))[0] === ids[0], 10000, 'A→Z by name');
    await page.getByTestId('order-toggle').click();
    await waitFor(async () => (await tileIds(page))[0] === ids[23], 10000, 'Z→A by name');
    expect(new URL(page.url()).searchParams.get('sort')).toBe('name');

    await page.screenshot({ path: path.join(SHOTS, 'gallery-filters-1440.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows metadata, opens the viewer, moves through the list, and deletes with confirmation and undo', async () => {
    const { page, errors } = await openPage();
    const order = await tileIds(page);
    expect(order.length).toBe(24);

    await tiles(page).nth(1).click();
    const inspector = page.getByTestId('inspector');
    await expect(inspector.textContent()).resolves.toContain('a lighthouse at dusk, study 22');
    expect(await inspector.textContent()).toContain(MODEL_A);
    expect(await inspector.getByRole('button', { name: 'Copy seed' }).count()).toBe(1);
    expect(await tiles(page).nth(1).getAttribute('aria-selected')).toBe('true');

    // Viewer: open with a double-click, step with the button and the arrow keys, close with Esc.
    await tiles(page).nth(1).dblclick();
    const viewer = page.getByTestId('viewer');
    await viewer.waitFor();
    expect(await viewer.getAttribute('open')).not.toBeNull();
    const title = page.getByTestId('viewer-title');
    await waitFor(async () => (await title.getAttribute('data-asset-id')) === order[1], 5000, 'the viewer to show the item');
    await page.getByTestId('viewer-next').click();
    await waitFor(async () => (await title.getAttribute('data-asset-id')) === order[2], 5000, 'the next item');
    await page.keyboard.press('ArrowRight');
    await waitFor(async () => (await title.getAttribute('data-asset-id')) === order[3], 5000, 'ArrowRight');
    await page.keyboard.press('ArrowLeft');
    await waitFor(async () => (await title.getAttribute('data-asset-id')) === order[2], 5000, 'ArrowLeft');
    await page.getByTestId('slideshow-toggle').click();
    expect(await page.getByTestId('slideshow-toggle').getAttribute('aria-pressed')).toBe('true');
    await page.screenshot({ path: path.join(SHOTS, 'gallery-viewer-1440.png') });
    await page.keyboard.press('Escape');
    await waitFor(async () => (await viewer.count()) === 0, 5000, 'the viewer to close');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-asset-id'))).toBe(order[2]);

    // Multi-select: Shift-click a range, Esc clears.
    await tiles(page).nth(0).click();
    await tiles(page).nth(3).click({ modifiers: ['Shift'] });
    await expect(page.getByTestId('selection-count').textContent()).resolves.toBe('4 selected');
    // The selection downloads as one zip (a POSTed form, whatever its size).
    const zip = page.waitForEvent('download');
    await page.getByTestId('batch-download').click();
    const saved = await (await zip).path();
    const bytes = await readFile(saved);
    expect(bytes.subarray(0, 4).toString('hex')).toBe('504b0304');
    await tiles(page).nth(3).focus();
    await page.keyboard.press('Escape');
    expect(await page.getByTestId('selection-count').count()).toBe(0);

    // Delete through the context menu, confirmed; the file leaves OUTPUT_PATH and the tile the grid.
    const victim = order[4]!;
    await page.locator(`[data-testid="asset-tile"][data-asset-id="${victim}"]`).click({ button: 'right' });
    await page.getByTestId('context-menu').waitFor();
    await page.getByTestId('menu-delete').click();
    await page.getByTestId('confirm-dialog').waitFor();
    await page.getByTestId('confirm-ok').click();
    await waitFor(async () => !(await tileIds(page)).includes(victim), 10000, 'the deleted tile to disappear');
    await waitFor(async () => (await page.getByTestId('gallery-count').textContent())?.includes('23 items'), 5000, 'the count to drop');
    expect(existsSync(path.join(stack.config.outputPath, name(19)))).toBe(false);

    // Undo brings it back in its place.
    await page.getByTestId('toast-action').click();
    await waitFor(async () => (await tileIds(page))[4] === victim, 10000, 'the restored tile');
    expect(existsSync(path.join(stack.config.outputPath, name(19)))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('scrolls 3,000 items with fewer than 400 DOM nodes in the grid and reaches the oldest', async () => {
    const before = await indexedTotal();
    const base = new Date(2024, 0, 1).getTime();
    const oldest = assetIdForPath('bulk/b_0000.png');
    // Paced like a busy backend writing outputs (20 at a time), not one burst of 3,000.
    for (let start = 0; start < 3000; start += 20) {
      await Promise.all(
        Array.from({ length: 20 }, (_, k) =>
          writeAsset(`bulk/b_${String(start + k).padStart(4, '0')}.png`, { model: MODEL_A, prompt: `bulk ${start + k}`, seed: start + k }, new Date(base + (start + k) * 60_000), 8),
        ),
      );
    }
    let seen = before;
    await waitFor(async () => (seen = await indexedTotal()) >= before + 3000, 90000, '3,000 more files to be indexed').catch((err: Error) => {
      throw new Error(`${err.message} (${seen - before} of 3000 indexed)`);
    });
    const total = await indexedTotal();
    expect(total).toBe(before + 3000);

    for (const viewport of [{ width: 1440, height: 900 }, { width: 390, height: 844 }]) {
      const { page, errors } = await openPage(viewport);
      const grid = page.getByTestId('gallery-grid');
      await waitFor(async () => (await grid.getAttribute('data-total')) === String(total), 10000, 'the total');
      const counts = [await gridNodes(page)];
      await page.screenshot({ path: path.join(SHOTS, `gallery-top-${viewport.width}.png`) });
      for (const fraction of [0.37, 0.71, 1]) {
        await grid.evaluate((el, f) => (el.scrollTop = (el.scrollHeight - el.clientHeight) * f), fraction);
        // Two frames: the scroll event has been handled and the new window rendered.
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        await waitFor(async () => (await page.getByTestId('asset-placeholder').count()) === 0 && (await tiles(page).count()) > 0, 10000, 'the pages in view');
        counts.push(await gridNodes(page));
      }
      await page.locator(`[data-testid="asset-tile"][data-index="${total - 1}"]`).waitFor({ timeout: 10000 });
      expect(Math.max(...counts)).toBeLessThan(400);
      // At the very end: the last tile is the oldest file.
      const last = await tiles(page).evaluateAll((els) => {
        const e = els[els.length - 1]!;
        return { id: e.getAttribute('data-asset-id'), index: Number(e.getAttribute('data-index')) };
      });
      expect(last).toEqual({ id: oldest, index: total - 1 });
      await page.screenshot({ path: path.join(SHOTS, `gallery-bottom-${viewport.width}.png`) });
      expect(errors).toEqual([]);
      await page.close();
    }
  }, 180000);

  it('keeps the grid under 400 DOM nodes across a 1,000,000-asset gallery and reaches its last item', async () => {
    // The list answers for a million assets (made up from the offset asked for), so the page meets
    // the scale DESIGN.md sets without indexing a million files; thumbnails are one small PNG.
    const TOTAL = 1_000_000;
    const png = encodePng(4, 4, (_y, row) => row.fill(128));
    const fake = (i: number) => {
      const id = i.toString(16).padStart(16, '0');
      return {
        id,
        type: 'image',
        fileName: `m_${i}.png`,
        relPath: `million/m_${i}.png`,
        size: 1000 + (i % 97),
        mimeType: 'image/png',
        createdAt: new Date(Date.UTC(2025, 0, 1) - i * 60_000).toISOString(),
        url: `/api/assets/${id}/file`,
        thumbUrl: `/api/assets/${id}/thumb`,
        meta: { prompt: `item ${i}` },
      };
    };
    for (const viewport of [{ width: 1440, height: 900 }, { width: 390, height: 844 }]) {
      const page = await browser.newPage({ viewport });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.route(
        (url) => url.pathname === '/api/assets',
        async (route) => {
          const params = new URL(route.request().url()).searchParams;
          const offset = Number(params.get('offset') ?? 0);
          const limit = Number(params.get('limit') ?? 100);
          const items = Array.from({ length: Math.max(0, Math.min(limit, TOTAL - offset)) }, (_, k) => fake(offset + k));
          await route.fulfill({ json: { items, total: TOTAL } });
        },
      );
      await page.route(/\/api\/assets\/[0-9a-f]{16}\/thumb/, (route) => route.fulfill({ body: png, contentType: 'image/png' }));
      await page.goto(stack.url);
      const grid = page.getByTestId('gallery-grid');
      await waitFor(async () => (await grid.getAttribute('data-total')) === String(TOTAL), 15000, 'the million total');
      await tiles(page).first().waitFor({ timeout: 15000 });
      const counts = [await gridNodes(page)];
      for (const fraction of [0.0001, 0.37, 0.71, 1]) {
        await grid.evaluate((el, f) => (el.scrollTop = (el.scrollHeight - el.clientHeight) * f), fraction);
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        await waitFor(async () => (await page.getByTestId('asset-placeholder').count()) === 0 && (await tiles(page).count()) > 0, 10000, 'the pages in view');
        counts.push(await gridNodes(page));
      }
      expect(Math.max(...counts)).toBeLessThan(400);
      const last = await tiles(page).evaluateAll((els) => {
        const e = els[els.length - 1]!;
        return { id: e.getAttribute('data-asset-id'), index: Number(e.getAttribute('data-index')) };
      });
      expect(last).toEqual({ id: fake(TOTAL - 1).id, index: TOTAL - 1 });
      expect(errors).toEqual([]);
      await page.close();
    }
  }, 120000);
});
