/*
 * Beyond txt2img in the page (issue 14), in Chromium against the real server, worker and the ComfyUI
 * fake: a picture uploaded as the start, a mask painted over it (brush, eraser, invert, feather) and sent
 * as an upload, the inpaint run through the fake's graph; then the result upscaled from its gallery menu.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Job, PageOf } from '@orchestrator/shared';
import { launchChromium } from './chromium.js';
import { openForm, shoot } from './fixtures.js';
import { CONTROLNET_MODELS } from '../fakes/comfyui/index.js';
import { encodePng } from '../fakes/comfyui/png.js';
import { startStack, waitFor, type Stack } from '../harness/stack.js';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack('browser-inpaint', { comfy: { stepMs: 5, models: { controlnet: CONTROLNET_MODELS } } });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

type RanGraph = Record<string, { class_type: string; inputs: Record<string, unknown> }>;
const ranGraph = (jobId: string) => (stack.comfy[0]!.history()[jobId] as { prompt: [number, string, RanGraph] }).prompt[2];

/** A 96×64 picture: a blue left half and a yellow right half. */
const PICTURE = encodePng(96, 64, (_y, row) => {
  for (let x = 0; x < 96; x++) row.set(x < 48 ? [40, 80, 230] : [230, 210, 40], x * 3);
});

/** The red channel of the mask preview at (fx, fy) of its size (0–255). */
async function maskAt(page: Page, fx: number, fy: number): Promise<number> {
  return page.getByTestId('mask-preview').evaluate(
    async (el, [x, y]) => {
      const img = el as HTMLImageElement;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const ctx = c.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      return ctx.getImageData(Math.floor(x! * c.width), Math.floor(y! * c.height), 1, 1).data[0]!;
    },
    [fx, fy],
  );
}

/** A stroke across the mask canvas, from (x0, y) to (x1, y) in fractions of its size. */
async function stroke(page: Page, x0: number, x1: number, y: number): Promise<void> {
  const box = (await page.getByTestId('mask-canvas').boundingBox())!;
  await page.mouse.move(box.x + box.width * x0, box.y + box.height * y);
  await page.mouse.down();
  for (let i = 1; i <= 8; i++) await page.mouse.move(box.x + box.width * (x0 + ((x1 - x0) * i) / 8), box.y + box.height * y);
  await page.mouse.up();
}

async function jobWhere(pred: (j: Job) => boolean, what: string): Promise<Job> {
  return waitFor(async () => {
    const list = (await (await fetch(`${stack.url}/api/jobs?limit=20`)).json()) as PageOf<Job>;
    return list.items.find((j) => pred(j) && (j.status === 'completed' || j.status === 'failed'));
  }, 30000, what);
}

describe('img2img, inpainting and upscaling from the page', () => {
  it('paints a mask over an uploaded picture, runs the inpaint through the fake, and upscales the result from the gallery', { timeout: 90000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(stack.url);
    await openForm(page);
    await waitFor(async () => (await page.getByTestId('model-select').inputValue()) !== '', 15000, 'a model chosen');

    // The picture to start from, uploaded in the "Start from an image" section.
    const start = page.getByTestId('image-start');
    if (!(await start.getAttribute('open'))) await start.locator('summary').click();
    await start.getByTestId('upload-input').setInputFiles({ name: 'halves.png', mimeType: 'image/png', buffer: PICTURE });
    await start.getByTestId('image-mode-inpaint').waitFor({ timeout: 10000 });
    await start.getByText('Paint a mask').click();
    expect(await start.getByTestId('image-mode-inpaint').isChecked()).toBe(true);

    // The painter: a wide brush stroke over the yellow half, part of it erased again, invert twice
    // (back where it was), no feather so the edge is exact.
    await start.getByTestId('paint-mask').click();
    const painter = page.getByTestId('mask-painter');
    await painter.waitFor();
    await waitFor(async () => ((await painter.getByTestId('mask-canvas').boundingBox())?.width ?? 0) > 50, 10000, 'the canvas sized to the picture');
    await painter.getByTestId('mask-size').fill('24');
    await painter.getByLabel('Feather: a soft edge, in pixels').fill('0');
    await stroke(page, 0.55, 0.95, 0.5);
    await painter.getByTestId('mask-erase').click();
    await stroke(page, 0.85, 0.99, 0.5);
    await painter.getByTestId('mask-invert').click();
    await painter.getByTestId('mask-invert').click();
    await shoot(page, 'mask-painter-1440.png');
    await painter.getByTestId('mask-done').click();
    await painter.waitFor({ state: 'detached', timeout: 10000 });

    // The mask is the picture's size, white where painted, black where erased or never touched.
    await start.getByTestId('mask-preview').waitFor();
    expect(await maskAt(page, 0.65, 0.5)).toBeGreaterThan(200);
    expect(await maskAt(page, 0.92, 0.5)).toBeLessThan(50);
    expect(await maskAt(page, 0.2, 0.5)).toBeLessThan(50);
    expect(await maskAt(page, 0.65, 0.05)).toBeLessThan(50);
    await start.getByTestId('denoise-input').fill('0.6');
    await shoot(page, 'image-form-inpaint-1440.png');

    await page.getByTestId('prompt-input').fill('a lighthouse on the yellow side');
    await page.getByTestId('generate-button').click();
    const job = await jobWhere((j) => j.request.provider === 'comfyui' && j.request.mask !== undefined, 'the inpaint job');
    expect(job.error).toBeUndefined();
    expect(job.status).toBe('completed');
    if (job.request.provider !== 'comfyui') throw new Error('not a ComfyUI job');
    expect(job.request).toMatchObject({ prompt: 'a lighthouse on the yellow side', params: { denoise: 0.6 } });
    expect(job.request.inputImage).toBeTruthy();

    // In the graph that ran: the picture through LoadImage, the mask through LoadImageMask (its own
    // upload), both into InpaintModelConditioning, which feeds the sampler.
    const ran = ranGraph(job.id);
    const node = (type: string) => Object.entries(ran).find(([, n]) => n.class_type === type);
    expect(node('LoadImageMask')?.[1].inputs).toMatchObject({ image: `orchestrator-${job.request.mask}.png`, channel: 'red' });
    const [condId, cond] = node('InpaintModelConditioning')!;
    expect(cond.inputs.mask).toEqual([node('LoadImageMask')![0], 0]);
    const sampler = node('KSampler')![1];
    expect(sampler.inputs).toMatchObject({ latent_image: [condId, 2], positive: [condId, 0], negative: [condId, 1], denoise: 0.6 });
    expect(node('EmptyLatentImage')).toBeUndefined();

    // The result keeps the picture's size; its gallery menu upscales it (a plain resize by 2).
    const assetId = job.assets![0]!.id;
    const tile = page.locator(`[data-testid="asset-tile"][data-asset-id="${assetId}"]`);
    await tile.waitFor({ timeout: 15000 });
    await tile.click({ button: 'right' });
    await page.getByTestId('context-menu').waitFor();
    await page.getByTestId('menu-upscale').click();
    const dialog = page.getByTestId('upscale-dialog');
    await dialog.waitFor();
    await dialog.getByText('A plain resize (lanczos)').click();
    await dialog.getByTestId('upscale-factor').fill('2');
    await shoot(page, 'upscale-dialog-1440.png');
    await dialog.getByTestId('upscale-submit').click();
    await dialog.waitFor({ state: 'detached', timeout: 10000 });
    const up = await jobWhere((j) => j.request.provider === 'comfyui' && j.request.workflow === 'upscale', 'the upscale job');
    expect(up.status).toBe('completed');
    expect(up.request).toMatchObject({ inputImage: assetId, params: { upscale: { factor: 2 } } });
    const upAsset = (await (await fetch(`${stack.url}/api/assets/${up.assets![0]!.id}`)).json()) as { width?: number; height?: number; meta: { width?: number; height?: number } };
    expect(upAsset.meta).toMatchObject({ width: 192, height: 128 });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('stacks a ControlNet (with Canny) and a hires fix from the Image form; IP-Adapter is hidden, saying why', { timeout: 60000 }, async () => {
    await waitFor(
      async () => ((await (await fetch(`${stack.url}/api/models?folder=controlnet`)).json()) as { items: unknown[] }).items.length > 0,
      15000,
      'ControlNets reported by the backend',
    );
    const page = await browser.newPage({ viewport: { width: 1440, height: 1400 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(stack.url);
    await openForm(page);
    await waitFor(async () => (await page.getByTestId('model-select').inputValue()) !== '', 15000, 'a model chosen');
    // The first test's picture stays in the draft: this one starts from text.
    const start = page.getByTestId('image-start');
    if (await start.getByRole('button', { name: 'Remove' }).first().isVisible().catch(() => false)) await start.getByRole('button', { name: 'Remove' }).first().click();

    const cn = page.getByTestId('controlnet-fields');
    if (!(await cn.getAttribute('open'))) await cn.locator('summary').click();
    await cn.getByTestId('controlnet-add').click();
    await cn.getByTestId('controlnet-0-model-trigger').click();
    await page.getByTestId('model-listbox').locator('[data-model-id="controlnet/controlnet-canny-sdxl-1.0.safetensors"]').click();
    // The upload is held until Canny is chosen: its answer must not undo a choice made while it ran.
    let releaseUpload!: () => void;
    const cannyChosen = new Promise<void>((resolve) => (releaseUpload = resolve));
    await page.route('**/api/uploads', async (route) => {
      await cannyChosen;
      await route.continue();
    });
    await cn.getByTestId('upload-input').setInputFiles({ name: 'edges.png', mimeType: 'image/png', buffer: PICTURE });
    await cn.getByText('Canny edges').click();
    releaseUpload();
    await cn.getByText('edges.png').waitFor();
    await page.unroute('**/api/uploads');
    await page.locator('#gen-cn-0-strength').fill('0.8');

    const extras = page.getByTestId('extras-fields');
    if (!(await extras.getAttribute('open'))) await extras.locator('summary').click();
    await extras.getByTestId('hires-enabled').check();
    await page.locator('#gen-hires-scale').fill('1.5');
    await page.locator('#gen-hires-denoise').fill('0.4');
    expect(await extras.getByTestId('ipadapter-unavailable').textContent()).toContain('No online backend has the IPAdapter nodes');

    await page.getByTestId('prompt-input').fill('a lighthouse, edges kept');
    await shoot(page, 'image-form-controlnet-hires-1440.png');
    await page.getByTestId('generate-button').click();
    const job = await jobWhere((j) => j.request.provider === 'comfyui' && j.request.params?.hiresFix !== undefined, 'the ControlNet + hires job');
    expect(job.error).toBeUndefined();
    expect(job.request).toMatchObject({
      params: { controlNets: [{ model: 'controlnet-canny-sdxl-1.0.safetensors', strength: 0.8, preprocessor: 'canny' }], hiresFix: { scale: 1.5, denoise: 0.4 } },
    });
    const ran = ranGraph(job.id);
    const types = Object.values(ran).map((n) => n.class_type);
    expect(types).toEqual(expect.arrayContaining(['ControlNetLoader', 'Canny', 'ControlNetApplyAdvanced', 'LatentUpscaleBy']));
    expect(types.filter((t) => t === 'KSampler')).toHaveLength(2);
    const latent = Object.values(ran).find((n) => n.class_type === 'EmptyLatentImage')!.inputs;
    const asset = (await (await fetch(`${stack.url}/api/assets/${job.assets![0]!.id}`)).json()) as { meta: { width?: number; height?: number; hiresFix?: string } };
    expect(asset.meta).toMatchObject({ width: Math.round(Number(latent.width) * 1.5), height: Math.round(Number(latent.height) * 1.5) });
    expect(asset.meta.hiresFix).toContain('×1.5');
    expect(errors).toEqual([]);
    await page.close();
  });
});
