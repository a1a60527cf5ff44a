import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssetStore, assetIdForPath, assetUrls, writePngText } from '@orchestrator/shared';
import { startFakeComfy, type FakeComfy } from '../../test/fakes/comfyui/index.js';
import { startWorkerRuntime, type WorkerRuntime } from './runtime.js';
import { createHarness, type Harness } from './testing/harness.js';

// A 2×2 RGB PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
  'base64',
);
const UPLOAD_ID = '0b7c6f5e-1111-4222-8333-944445555666';

let h: Harness;
let fake: FakeComfy;
let runtime: WorkerRuntime;

beforeAll(async () => {
  h = await createHarness('svd');
  fake = await startFakeComfy({ stepMs: 5, previews: false, checkpoints: ['sd_xl_base_1.0.safetensors', 'svd_xt.safetensors'] });
  await mkdir(join(h.outputPath, 'uploads'), { recursive: true });
  await writeFile(join(h.outputPath, 'uploads', `${UPLOAD_ID}.png`), writePngText(PNG, {}));
  runtime = await startWorkerRuntime(h.config([fake.url]), { monitorIntervalMs: 300, comfy: { tracker: { pollMs: 200 } } });
});

afterAll(async () => {
  await runtime?.close();
  await fake?.close();
  await h?.close();
});

describe('SVD image-to-video through the fake ComfyUI', () => {
  it('uploads the input image, binds it to LoadImage and saves the animated WebP as a video asset', async () => {
    const uploadsBefore = fake.stats.uploads;
    const id = await h.enqueue({
      kind: 'video',
      model: 'svd_xt.safetensors',
      inputImage: UPLOAD_ID,
      params: { steps: 2, frames: 3, fps: 8, motionBucketId: 100, augmentationLevel: 0.1, videoWidth: 64, videoHeight: 64, cfg: 2.5, seed: 7 },
    });
    const job = await h.waitForJob(id, (j) => j.status === 'completed' || j.status === 'failed');
    expect(job.error).toBeUndefined();
    expect(fake.stats.uploads).toBe(uploadsBefore + 1);
    const ran = (fake.history()[id] as { prompt: [number, string, Record<string, { class_type: string; inputs: Record<string, unknown> }>] }).prompt[2];
    expect(ran['23']).toMatchObject({ class_type: 'LoadImage', inputs: { image: `orchestrator-${UPLOAD_ID}.png` } });
    expect(ran['12']!.inputs).toMatchObject({ video_frames: 3, fps: 8, motion_bucket_id: 100, augmentation_level: 0.1, width: 64, height: 64 });
    expect(ran['10']!.class_type).toBe('SaveAnimatedWEBP');

    expect(job.assets).toHaveLength(1);
    const asset = await new AssetStore(h.redis, h.prefix).get(job.assets![0]!.id);
    expect(asset).toMatchObject({ type: 'video', mimeType: 'image/webp', animated: true, frames: 3, fps: 8 });
    expect(asset?.meta).toMatchObject({ model: 'svd_xt.safetensors', inputImage: UPLOAD_ID, steps: 2, cfg: 2.5, seed: 7, width: 64, height: 64 });
    const bytes = await readFile(join(h.outputPath, asset!.relPath));
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(bytes.subarray(8, 12).toString('latin1')).toBe('WEBP');
  });

  it('takes a gallery asset as the input image (its file under OUTPUT_PATH)', async () => {
    const relPath = '2030-01-01/source_1.png';
    await mkdir(join(h.outputPath, '2030-01-01'), { recursive: true });
    await writeFile(join(h.outputPath, relPath), PNG);
    const assetId = assetIdForPath(relPath);
    await new AssetStore(h.redis, h.prefix).put({
      id: assetId, type: 'image', fileName: 'source_1.png', relPath, size: PNG.length, mimeType: 'image/png',
      createdAt: new Date().toISOString(), ...assetUrls(assetId), meta: {},
    });
    const id = await h.enqueue({ kind: 'video', model: 'svd_xt.safetensors', inputImage: assetId, params: { steps: 1, frames: 2, videoWidth: 64, videoHeight: 64 } });
    const job = await h.waitForJob(id, (j) => j.status === 'completed' || j.status === 'failed');
    expect(job.error).toBeUndefined();
    expect(job.assets?.[0]?.type).toBe('video');
  });

  it('fails fast with invalid_input when the input image is unknown', async () => {
    const id = await h.enqueue({ kind: 'video', model: 'svd_xt.safetensors', inputImage: 'no-such-upload', params: { steps: 2 } });
    const job = await h.waitForJob(id, (j) => j.status === 'failed');
    expect(job.error).toMatchObject({ code: 'invalid_input' });
    expect(job.error?.message).toContain('no-such-upload');
  });
});
