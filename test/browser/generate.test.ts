import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { openForm } from './fixtures.js';
import { startStack, waitFor, type Stack } from '../harness/stack.js';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack('browser', { comfy: { stepMs: 150 } });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('the page, driven in Chromium', () => {
  it('fills the form, presses Generate, sees the progress bar move and the finished image appear', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(stack.url);
    await openForm(page);

    // The picker's value: the first checkpoint a backend reports, once the backends are known.
    const model = page.getByTestId('model-select');
    await waitFor(async () => (await model.inputValue()) !== '', 15000, 'a model chosen');
    await page.getByTestId('prompt-input').fill('a red fox in the snow');
    await page.getByTestId('negative-input').fill('blurry');
    await page.getByTestId('generate-button').click();

    const card = page.getByTestId('job-card').first();
    await card.waitFor({ timeout: 10000 });
    const progress = card.getByTestId('job-progress');
    const seen = new Set<number>();
    await waitFor(async () => {
      const status = await card.getAttribute('data-status');
      const now = Number((await progress.getAttribute('aria-valuenow').catch(() => null)) ?? NaN);
      if (!Number.isNaN(now)) seen.add(now);
      return status === 'completed' || seen.size >= 3;
    }, 20000, 'progress to move');
    expect([...seen].some((v) => v > 0 && v < 100)).toBe(true);

    const tile = page.getByTestId('asset-tile').first();
    await tile.waitFor({ timeout: 20000 });
    const img = tile.locator('img');
    await waitFor(async () => img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0), 10000, 'image decoded');
    await tile.click();
    await expect(page.getByTestId('inspector').textContent()).resolves.toContain('a red fox in the snow');
    expect(errors).toEqual([]);
    await page.close();
  });
});
