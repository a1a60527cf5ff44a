/*
 * Settings that come back into the Create panel, in Chromium against the real server, a worker, the
 * ComfyUI and BFL fakes: "Use these settings" on a FLUX image opens the FLUX mode with that model and
 * its params (it used to open Image with "flux-pro-1.1-ultra ⚠ not in the model catalogue" at
 * 2720×1536, and Generate failed); "Variations" queues the same request with a new seed in one click;
 * a PNG dropped on the page (ComfyUI's, A1111's) fills the right form and says what it could not map.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { writePngText, type Asset, type ComfyJobRequest, type Job } from '@orchestrator/shared';
import { launchChromium } from './chromium.js';
import { indexedTotal, openPage, PHONE, shoot, tileOf, writeImage, openForm } from './fixtures.js';
import { startStack, waitFor, type Stack } from '../harness/stack.js';
import { startFakeBfl, type FakeBfl } from '../fakes/bfl/index.js';
import { encodePng } from '../fakes/comfyui/png.js';

const REAL_COMFY_PNG = new URL('../fixtures/real-comfyui-0.3.64/sd15-txt2img-saved-by-comfyui.png', import.meta.url);

let stack: Stack;
let browser: Browser;
let bfl: FakeBfl;

beforeAll(async () => {
  bfl = await startFakeBfl({ pendingPolls: 1 });
  stack = await startStack('browser-reuse', { env: { BFL_API_KEY: bfl.apiKey, BFL_API_URL: bfl.url } });
  browser = await launchChromium();
}, 60000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await bfl?.close();
});

async function post<T>(route: string, body: unknown): Promise<T> {
  const res = await fetch(`${stack.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return (await res.json()) as T;
}
const getJson = async <T>(route: string): Promise<T> => (await (await fetch(`${stack.url}${route}`)).json()) as T;

/** Submits a job and waits for its asset. */
async function generate(request: object): Promise<{ job: Job; asset: Asset }> {
  const { id } = await post<{ id: string }>('/api/jobs', request);
  const job = await waitFor(async () => {
    const j = await getJson<Job>(`/api/jobs/${id}`);
    if (j.status === 'failed') throw new Error(`job failed: ${JSON.stringify(j.error)}`);
    return j.status === 'completed' && j.assets?.length ? j : null;
  }, 30000, 'the job to complete');
  return { job, asset: await getJson<Asset>(`/api/assets/${job.assets![0]!.id}`) };
}

/** What the Create forms hold (their drafts are kept in localStorage). */
const imageDraft = (page: Page) => page.evaluate(() => (JSON.parse(localStorage.getItem('orchestrator.form') ?? '{}') as { state: { draft: Record<string, unknown> } }).state.draft);

/** Drops a file on the gallery as a user would from the desktop. */
async function dropFile(page: Page, name: string, bytes: Uint8Array, hintShot?: string, type = 'image/png'): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    ({ b64, name, type }) => {
      const bin = atob(b64);
      const dt = new DataTransfer();
      dt.items.add(new File([Uint8Array.from(bin, (c) => c.charCodeAt(0))], name, { type }));
      return dt;
    },
    { b64: Buffer.from(bytes).toString('base64'), name, type },
  );
  // A drag over the page: dragover events, as the browser sends them, and the hint shows.
  await waitFor(async () => {
    await page.dispatchEvent('[data-testid="gallery-grid"]', 'dragover', { dataTransfer });
    return page.getByTestId('drop-hint').isVisible();
  }, 10000, 'the drop hint');
  if (hintShot) await shoot(page, hintShot);
  await page.dispatchEvent('[data-testid="gallery-grid"]', 'drop', { dataTransfer });
}

/** A PNG without one of its text chunks (the real ComfyUI file also carries ours). */
function withoutChunk(png: Buffer, keyword: string): Buffer {
  const parts = [png.subarray(0, 8)];
  for (let pos = 8; pos < png.length; ) {
    const length = png.readUInt32BE(pos);
    const type = png.toString('latin1', pos + 4, pos + 8);
    const end = pos + 12 + length;
    const key = type === 'tEXt' ? png.toString('latin1', pos + 8, png.indexOf(0, pos + 8)) : '';
    if (key !== keyword) parts.push(png.subarray(pos, end));
    pos = end;
  }
  return Buffer.concat(parts);
}

describe('"Use these settings" goes to the mode that made the asset', () => {
  it('opens a FLUX image in the FLUX mode with its model and params, and Generate then queues a FLUX job', async () => {
    // A FLUX ultra file whose job this server never saw: only its metadata says how it was made.
    const id = await writeImage(stack, 'flux/ultra.png', {
      meta: { provider: 'flux', model: 'flux-pro-1.1-ultra', prompt: 'a paper crane on a desk', seed: 77, width: 2720, height: 1536 },
      at: new Date(2025, 3, 1),
      w: 68,
      h: 38,
    });
    await waitFor(async () => (await indexedTotal(stack)) >= 1, 30000, 'the FLUX file indexed');
    const { page, errors } = await openPage(browser, stack.url);
    await openForm(page);
    await tileOf(page, id).click();
    await page.getByTestId('use-settings').click();
    await waitFor(async () => (await page.getByTestId('mode-flux').getAttribute('aria-checked')) === 'true', 10000, 'the FLUX mode');
    await page.getByTestId('flux-prompt').waitFor();
    expect(await page.getByTestId('flux-model-select').inputValue()).toBe('flux-pro-1.1-ultra');
    expect(await page.getByTestId('flux-prompt').inputValue()).toBe('a paper crane on a desk');
    // Ultra takes an aspect ratio, not a size: 2720×1536 is 16:9.
    expect(await page.locator('#flux-aspect').inputValue()).toBe('16:9');
    expect(await page.locator('#flux-seed').inputValue()).toBe('77');
    expect(await page.getByText('not in the model catalogue').count()).toBe(0);
    await shoot(page, 'use-settings-flux-1440.png');

    const posted = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/jobs' && r.request().method() === 'POST');
    await page.getByTestId('generate-button').click();
    const res = await posted;
    expect(res.status()).toBe(202);
    const job = await getJson<Job>(`/api/jobs/${((await res.json()) as { id: string }).id}`);
    expect(job.request).toMatchObject({ provider: 'flux', model: 'flux-pro-1.1-ultra', prompt: 'a paper crane on a desk', params: { aspectRatio: '16:9', seed: 77 } });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('takes a FLUX job’s own request when the server has it (raw, aspect ratio, the seed BFL chose)', async () => {
    const { asset } = await generate({ provider: 'flux', kind: 'image', model: 'flux-pro-1.1-ultra', prompt: 'a glass whale', params: { aspectRatio: '21:9', raw: true } });
    const { page, errors } = await openPage(browser, stack.url);
    await openForm(page);
    await tileOf(page, asset.id).click();
    await page.getByTestId('use-settings').click();
    await page.getByTestId('flux-prompt').waitFor({ timeout: 10000 });
    await waitFor(async () => (await page.getByTestId('flux-prompt').inputValue()) === 'a glass whale', 5000, 'the prompt');
    expect(await page.locator('#flux-aspect').inputValue()).toBe('21:9');
    expect(await page.getByLabel('Raw (photographic look)').isChecked()).toBe(true);
    expect(await page.locator('#flux-seed').inputValue()).toBe(String(asset.meta.seed));
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('Variations', () => {
  it('queues the same request with a new seed in one click, from the menu and the Inspector', async () => {
    const request: ComfyJobRequest = {
      provider: 'comfyui',
      kind: 'image',
      model: 'sd_xl_base_1.0.safetensors',
      prompt: 'a lighthouse at dusk, variations',
      negativePrompt: 'blurry',
      params: { seed: 1234, steps: 6, cfg: 5, width: 64, height: 64 },
    };
    const { asset } = await generate(request);
    const { page, errors } = await openPage(browser, stack.url);
    await openForm(page);
    await tileOf(page, asset.id).waitFor({ timeout: 15000 });

    const regenerated = () => page.waitForResponse((r) => r.url().endsWith(`/api/assets/${asset.id}/regenerate`) && r.request().method() === 'POST');
    let answer = regenerated();
    await tileOf(page, asset.id).click({ button: 'right' });
    await shoot(page, 'variations-menu-1440.png');
    await page.getByTestId('menu-variations').click();
    const first = await answer;
    expect(first.status()).toBe(202);
    expect(first.request().postDataJSON()).toEqual({ seed: 'random' });

    answer = regenerated();
    await page.getByTestId('inspector-variations').click();
    const second = await answer;
    const seeds = new Set<number | undefined>([request.params!.seed]);
    for (const r of [first, second]) {
      const job = await getJson<Job>(`/api/jobs/${((await r.json()) as { id: string }).id}`);
      const { seed, ...rest } = (job.request as ComfyJobRequest).params!;
      expect({ ...job.request, params: rest }).toMatchObject({ ...request, params: { steps: 6, cfg: 5, width: 64, height: 64 } });
      seeds.add(seed);
    }
    expect(seeds.size).toBe(3); // two new seeds, neither the original
    await page.getByText('Variation queued').first().waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('a PNG dropped on the page', () => {
  it('fills the Image form from a ComfyUI PNG and says what it could not map', async () => {
    const png = withoutChunk(readFileSync(REAL_COMFY_PNG), 'orchestrator');
    const { page, errors } = await openPage(browser, stack.url);
    await openForm(page);
    await page.getByTestId('mode-flux').click(); // somewhere else first: the drop must switch to Image
    await dropFile(page, 'ComfyUI_00042_.png', png, 'drop-hint-1440.png');
    const notice = page.getByTestId('import-notice');
    await notice.waitFor({ timeout: 10000 });
    expect(await page.getByTestId('mode-image').getAttribute('aria-checked')).toBe('true');
    await expect(notice.textContent()).resolves.toContain('ComfyUI_00042_.png (ComfyUI) into Image');
    await waitFor(async () => (await page.getByTestId('prompt-input').inputValue()) === 'a red apple on a table', 5000, 'the prompt filled');
    expect(await imageDraft(page)).toMatchObject({ seed: '3100439112984056', randomSeed: false, steps: '2', cfg: '7', sampler: 'euler', scheduler: 'normal', width: '64', height: '64' });
    // That checkpoint is on no backend here: said, not hidden.
    await expect(page.getByTestId('import-unmapped').textContent()).resolves.toContain('h2-tiny-sd15-random.safetensors');
    await shoot(page, 'drop-comfyui-1440.png');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('fills the Image form from an A1111 PNG, matches its model to a backend’s file, and lists the keys it has no place for', async () => {
    const infotext =
      'a castle on a hill, golden hour\nNegative prompt: fog, people\nSteps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, Seed: 4242, Size: 512x768, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Clip skip: 2, Version: v1.10.1';
    const png = writePngText(encodePng(8, 8, (_y, row) => row.fill(90)), { parameters: infotext });
    const { page, errors } = await openPage(browser, stack.url, PHONE);
    await dropFile(page, 'castle.png', png);
    // The phone shows the Create tab with the form filled.
    await waitFor(async () => (await page.getByRole('tab', { name: 'Create' }).getAttribute('aria-selected')) === 'true', 5000, 'the Create tab');
    const notice = page.getByTestId('import-notice');
    await notice.waitFor({ timeout: 10000 });
    await expect(notice.textContent()).resolves.toContain('castle.png (A1111 / Forge) into Image');
    await waitFor(async () => (await page.getByTestId('prompt-input').inputValue()) === 'a castle on a hill, golden hour', 5000, 'the prompt filled');
    expect(await imageDraft(page)).toMatchObject({
      model: 'v1-5-pruned-emaonly.safetensors',
      negativePrompt: 'fog, people',
      seed: '4242',
      steps: '28',
      cfg: '6.5',
      sampler: 'dpmpp_2m',
      scheduler: 'karras',
      width: '512',
      height: '768',
    });
    await waitFor(async () => (await page.getByTestId('model-select').inputValue()) === 'v1-5-pruned-emaonly.safetensors', 10000, 'the model picked');
    const unmapped = await page.getByTestId('import-unmapped').locator('li').allTextContents();
    expect(unmapped).toEqual(['Model hash: 6ce0161689', 'Clip skip: 2', 'Version: v1.10.1']);
    await shoot(page, 'drop-a1111-390.png');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('fills the Image form from an A1111 JPEG (infotext in its EXIF UserComment), as from the PNG', async () => {
    const infotext =
      'a lantern in the rain, film grain\nNegative prompt: people\nSteps: 24, Sampler: Euler a, Schedule type: Karras, CFG scale: 5.5, Seed: 9001, Size: 640x832, Model: v1-5-pruned-emaonly, Hires upscale: 2';
    const jpeg = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#405060' } })
      .jpeg()
      .withExif({ IFD2: { UserComment: infotext } })
      .toBuffer();
    const { page, errors } = await openPage(browser, stack.url);
    await openForm(page);
    await dropFile(page, 'lantern.jpg', jpeg, 'drop-hint-jpeg-1440.png', 'image/jpeg');
    const notice = page.getByTestId('import-notice');
    await notice.waitFor({ timeout: 10000 });
    await expect(notice.textContent()).resolves.toContain('lantern.jpg (A1111 / Forge) into Image');
    await waitFor(async () => (await page.getByTestId('prompt-input').inputValue()) === 'a lantern in the rain, film grain', 5000, 'the prompt filled');
    expect(await imageDraft(page)).toMatchObject({ negativePrompt: 'people', seed: '9001', steps: '24', cfg: '5.5', sampler: 'euler_ancestral', scheduler: 'karras', width: '640', height: '832' });
    expect(await page.getByTestId('import-unmapped').locator('li').allTextContents()).toEqual(['Hires upscale: 2']);
    await shoot(page, 'drop-a1111-jpeg-1440.png');

    // A damaged JPEG says so instead of failing silently or crashing the page.
    await dropFile(page, 'cut.jpg', jpeg.subarray(0, 40), undefined, 'image/jpeg');
    await page.getByText('Nothing loaded from cut.jpg: The JPEG file is damaged').waitFor({ timeout: 5000 });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says why a PNG without settings loads nothing', async () => {
    const { page, errors } = await openPage(browser, stack.url);
    await openForm(page);
    await dropFile(page, 'blank.png', encodePng(4, 4, (_y, row) => row.fill(0)));
    await page.getByText('Nothing loaded from blank.png').waitFor({ timeout: 5000 });
    expect(await page.getByTestId('import-notice').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});

