import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { openForm } from './fixtures.js';
import { startStack, waitFor, type Stack } from '../harness/stack.js';
import { startFakeBfl, type FakeBfl } from '../fakes/bfl/index.js';
import { startFakeV0, type FakeV0 } from '../fakes/v0/index.js';
import { DEFAULT_CHECKPOINTS } from '../fakes/comfyui/index.js';
import { encodePng, gradient } from '../fakes/bfl/images.js';

let stack: Stack;
let browser: Browser;
let bfl: FakeBfl;
let v0: FakeV0;

beforeAll(async () => {
  bfl = await startFakeBfl({ pendingPolls: 1 });
  v0 = await startFakeV0({ pendingPolls: 1 });
  stack = await startStack('browser-cloud', {
    comfy: { checkpoints: [...DEFAULT_CHECKPOINTS, 'svd_xt.safetensors'] },
    env: { BFL_API_KEY: bfl.apiKey, BFL_API_URL: bfl.url, V0_API_KEY: v0.apiKey, V0_API_URL: v0.url },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await bfl?.close();
  await v0?.close();
});

describe('cloud providers, driven in Chromium', () => {
  it('generates a FLUX image and a v0 site from the Create panel and shows both in the canvas', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(stack.url);
    await openForm(page);

    const flux = page.getByTestId('mode-flux');
    await waitFor(() => flux.isEnabled(), 15000, 'FLUX mode enabled');
    await flux.click();
    await page.getByTestId('flux-model-select').selectOption('flux-pro-1.1-ultra');
    await page.getByTestId('flux-prompt').fill('a paper crane on a desk');
    // The FLUX form keeps its fields across a reload.
    await page.reload();
    await page.getByTestId('flux-prompt').waitFor({ timeout: 15000 });
    expect(await page.getByTestId('flux-prompt').inputValue()).toBe('a paper crane on a desk');
    expect(await page.getByTestId('flux-model-select').inputValue()).toBe('flux-pro-1.1-ultra');
    await page.getByTestId('generate-button').click();
    await page.locator('[data-testid="asset-tile"][data-type="image"]').first().waitFor({ timeout: 30000 });

    const site = page.getByTestId('mode-site');
    await waitFor(() => site.isEnabled(), 15000, 'Site mode enabled');
    await site.click();
    await page.getByTestId('site-prompt').fill('a landing page for a bakery');
    await page.getByTestId('generate-button').click();
    const siteTile = page.locator('[data-testid="asset-tile"][data-type="site"]').first();
    await siteTile.waitFor({ timeout: 30000 });

    await siteTile.click();
    const preview = page.getByTestId('site-preview');
    await preview.waitFor({ timeout: 10000 });
    expect(await preview.getAttribute('sandbox')).toBe('allow-scripts allow-same-origin allow-forms');
    await page.getByTestId('site-versions').locator('button').first().waitFor({ timeout: 10000 });
    expect(await page.getByText('Open in v0').getAttribute('target')).toBe('_blank');

    const firstFile = page.getByTestId('site-files').locator('button').first();
    await firstFile.waitFor({ timeout: 10000 });
    await firstFile.click();
    await waitFor(async () => ((await page.getByTestId('site-code').textContent()) ?? '').length > 20, 10000, 'source shown');

    await page.getByTestId('site-change-input').fill('make the header sticky');
    await page.getByTestId('site-change-submit').click();
    await waitFor(async () => (await page.getByTestId('site-versions').locator('button').count()) >= 2, 30000, 'a second version');

    await page.getByTestId('import-v0-button').click();
    await page.getByTestId('import-v0-dialog').getByTestId('import-v0-chat').first().waitFor({ timeout: 10000 });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('uploads an input image and makes an SVD video from the Video mode', { timeout: 60000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(stack.url);
    await openForm(page);

    const video = page.getByTestId('mode-video');
    await waitFor(() => video.isEnabled(), 15000, 'Video mode enabled');
    await video.click();
    const model = page.getByTestId('video-model-select');
    await waitFor(async () => (await model.inputValue()) === 'svd_xt.safetensors', 15000, 'the SVD checkpoint offered');
    await page.getByTestId('upload-input').setInputFiles({ name: 'start.png', mimeType: 'image/png', buffer: encodePng(64, 64, gradient(64, 64, 3)) });
    await page.getByText('start.png').waitFor({ timeout: 10000 });
    await page.locator('#video-frames').fill('8');
    // The draft (input image and numbers) survives a reload.
    await page.reload();
    await page.getByText('start.png').waitFor({ timeout: 15000 });
    expect(await page.locator('#video-frames').inputValue()).toBe('8');
    const posted = page.waitForResponse((r) => r.url().endsWith('/api/jobs') && r.request().method() === 'POST');
    await page.getByTestId('generate-button').click();
    const { id } = (await (await posted).json()) as { id: string };
    const request = ((await (await fetch(`${stack.url}/api/jobs/${id}`)).json()) as { request: Record<string, unknown> }).request;
    expect(request).toMatchObject({ kind: 'video', modelFolder: 'checkpoints', params: { frames: 8 } });
    expect(request.prompt).toBeUndefined();
    await page
      .locator('[data-testid="asset-tile"][data-type="video"]')
      .first()
      .waitFor({ timeout: 40000 })
      .catch(async (err: Error) => {
        const jobs = await (await fetch(`${stack.url}/api/jobs?limit=3`)).text();
        throw new Error(`${err.message}\nlatest jobs: ${jobs.slice(0, 1500)}`);
      });
    expect(errors).toEqual([]);
    await page.close();
  });
});
