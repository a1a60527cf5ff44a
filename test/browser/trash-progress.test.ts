/*
 * Emptying a big trash in Chromium: the page deletes it in bounded batches and says how far it has got
 * ("Deleting N of M…"), then the trash is empty and the files are gone. Each batch is delayed here so the
 * progress can be seen between them.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { indexedTotal, openPage, shoot, writeImage } from './fixtures.js';
import { startStack, waitFor, type Stack } from '../harness/stack.js';

const COUNT = 250;
let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack('browser-trash-progress', { noWorker: true });
  browser = await launchChromium();
  const ids: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    ids.push(await writeImage(stack, `bulk/${String(i).padStart(3, '0')}.png`, { meta: { prompt: `picture ${i}` }, at: new Date(2025, 2, 1, 10, 0, i), w: 8, h: 8, colour: i }));
  }
  await waitFor(async () => (await indexedTotal(stack)) === COUNT, 60000, 'the files indexed');
  const res = await fetch(`${stack.url}/api/assets/delete`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ids }) });
  expect(res.status).toBe(200);
}, 120000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('emptying a big trash', () => {
  it(`deletes ${COUNT} items in batches and shows "Deleting N of M…" while it goes`, async () => {
    const { page, errors } = await openPage(browser, stack.url);
    const batches: string[] = [];
    await page.route('**/api/assets/trash?*', async (route) => {
      if (route.request().method() !== 'DELETE') return route.fallback();
      batches.push(new URL(route.request().url()).search);
      await new Promise((r) => setTimeout(r, 700));
      await route.fallback();
    });
    await page.getByTestId('trash-toggle').click();
    await waitFor(async () => (await page.getByTestId('trash-count').textContent()) === `${COUNT} items`, 15000, 'the trash counted');
    await page.getByTestId('trash-empty').click();
    await page.getByTestId('confirm-ok').click();

    const progress = page.getByTestId('trash-progress');
    const seen = new Set<string>();
    let shot = false;
    await waitFor(async () => {
      const text = (await progress.textContent().catch(() => null)) ?? '';
      if (text) seen.add(text.trim());
      if (!shot && text.startsWith(`Deleting 100 of ${COUNT}`)) {
        await shoot(page, 'trash-progress-1440.png');
        shot = true;
      }
      return seen.has(`Deleting 200 of ${COUNT}…`);
    }, 15000, 'the progress at 200');
    expect(seen.has(`Deleting 100 of ${COUNT}…`)).toBe(true);
    // The dialog stays usable meanwhile: the rows' buttons wait, the close button does not.
    expect(await page.getByTestId('trash-close').isEnabled()).toBe(true);

    await progress.waitFor({ state: 'detached', timeout: 15000 });
    await waitFor(async () => (await page.getByTestId('trash-count').textContent()) === '0 items', 10000, 'the trash empty');
    await page.getByText(`${COUNT} items deleted for good`).waitFor({ timeout: 5000 });
    expect(batches).toHaveLength(3); // 100 + 100 + 50
    expect(batches[0]).toBe('?limit=100');
    expect(batches[1]).toMatch(/^\?limit=100&before=\d+$/);
    expect(await readdir(path.join(stack.config.dataPath, 'trash'))).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 60000);
});
