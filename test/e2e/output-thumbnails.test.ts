import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { THUMBS_FOLDER, makeThumbnail, thumbCacheEntry, type Asset, type Job } from '@orchestrator/shared';
import { startStack, waitFor, type Stack } from '../harness/stack.js';
import { startFakeBfl, type FakeBfl } from '../fakes/bfl/index.js';
import { DEFAULT_CHECKPOINTS } from '../fakes/comfyui/index.js';
import { startFakeV0, type FakeV0 } from '../fakes/v0/index.js';

/*
 * Our own outputs have their thumbnail before their job completes (DESIGN.md, targets): the worker makes
 * it from the bytes it has in hand and files it in the server's cache, directly when it shares the
 * server's disk, through the storage API when it runs on another machine. At the moment a job reads
 * `completed` the cache file is there, it is what the server itself would have made, and the first
 * GET …/thumb is a cache hit (nothing is decoded on the server).
 */

const MODES = [
  { mode: 'a worker on the server\'s disk', remote: false },
  { mode: 'a worker on another machine (storage API)', remote: true },
] as const;

describe.each(MODES)('thumbnails of our outputs, $mode', ({ remote }) => {
  let stack: Stack;
  let bfl: FakeBfl;
  let v0: FakeV0;
  let workerDir: string;

  beforeAll(async () => {
    workerDir = await mkdtemp(path.join(tmpdir(), 'orch-thumbs-worker-'));
    bfl = await startFakeBfl({ pendingPolls: 1 });
    v0 = await startFakeV0({ pendingPolls: 1, syncMs: 10 });
    stack = await startStack(remote ? 'e2e-thumbs-remote' : 'e2e-thumbs-local', {
      comfy: { stepMs: 5, checkpoints: [...DEFAULT_CHECKPOINTS, 'svd_xt.safetensors'] },
      env: { BFL_API_URL: bfl.url, BFL_API_KEY: bfl.apiKey, V0_API_URL: v0.url, V0_API_KEY: v0.apiKey },
      ...(remote ? { workerEnv: { OUTPUT_PATH: path.join(workerDir, 'output'), DATA_PATH: workerDir } } : {}),
    });
  });

  afterAll(async () => {
    await stack?.close();
    await bfl?.close();
    await v0?.close();
    await rm(workerDir, { recursive: true, force: true });
  });

  async function submit(body: object): Promise<string> {
    const res = await fetch(`${stack.url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status, await res.clone().text()).toBe(202);
    return ((await res.json()) as { id: string }).id;
  }

  /** Polls the job every 20 ms; on the first read that says completed, looks at the thumbnail cache at once. */
  async function completedWithCache(id: string): Promise<{ job: Job; cached: boolean[]; assets: Asset[] }> {
    const job = await waitFor(
      async () => {
        const j = (await (await fetch(`${stack.url}/api/jobs/${id}`)).json()) as Job;
        if (j.status === 'failed' || j.status === 'cancelled') throw new Error(`job ${j.status}: ${j.error?.message}`);
        return j.status === 'completed' ? j : null;
      },
      30000,
      `job ${id}`,
    );
    const assets = await Promise.all(
      job.assets!.map(async (a) => {
        const res = await fetch(`${stack.url}/api/assets/${a.id}`);
        expect(res.status, await res.clone().text()).toBe(200);
        return (await res.json()) as Asset;
      }),
    );
    const cached = await Promise.all(assets.map(async (a) => (await cacheFile(a)) !== null));
    return { job, cached, assets };
  }

  /** The file an asset's thumbnail is made from: its own, or a site's screenshot. */
  const sourceOf = (asset: Asset) => (asset.type === 'site' ? asset.screenshot! : asset.relPath);

  /** The thumbnail cache file of an asset, by the cache rule, if it exists on the server's disk. */
  async function cacheFile(asset: Asset): Promise<string | null> {
    const st = await stat(path.join(stack.config.outputPath, sourceOf(asset)));
    const entry = thumbCacheEntry(path.join(stack.config.dataPath, THUMBS_FOLDER), asset.id, sourceOf(asset), st);
    return (await stat(entry.file).catch(() => null)) ? entry.file : null;
  }

  async function expectServedFromCache(asset: Asset): Promise<void> {
    const file = (await cacheFile(asset))!;
    // What the server would have made from the stored file, byte for byte.
    expect((await readFile(file)).equals(await makeThumbnail(path.join(stack.config.outputPath, sourceOf(asset))))).toBe(true);
    const res = await fetch(`${stack.url}/api/assets/${asset.id}/thumb`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-thumbnail')).toBe('hit');
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    expect(meta.format).toBe('webp');
    expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBeLessThanOrEqual(384);
  }

  it('a ComfyUI job: every output has its thumbnail in the cache when the job reads completed', async () => {
    const id = await submit({ provider: 'comfyui', kind: 'image', prompt: 'a lighthouse at dusk', params: { steps: 2, width: 512, height: 384, batchSize: 2, seed: 7 } });
    const { cached, assets } = await completedWithCache(id);
    expect(assets).toHaveLength(2);
    expect(cached).toEqual([true, true]);
    for (const asset of assets) await expectServedFromCache(asset);
    expect(assets.map((a) => a.fileName)).toEqual([1, 2].map((n) => `${assets[0]!.relPath.slice(0, 10)}_a-lighthouse-at-dusk_7_${id.slice(0, 8)}_${n}.png`));
  });

  it('a FLUX job: its output has its thumbnail in the cache when the job reads completed', async () => {
    const id = await submit({ provider: 'flux', kind: 'image', prompt: 'a red fox in the snow', params: { seed: 5, outputFormat: 'jpeg' } });
    const { cached, assets } = await completedWithCache(id);
    expect(cached).toEqual([true]);
    await expectServedFromCache(assets[0]!);
    expect(assets[0]!.fileName).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\d_a-red-fox-in-the-snow_5_${id.slice(0, 8)}\\.jpg$`));
  });

  it('an SVD video job (animated WebP): its poster, the first frame, is in the cache when the job reads completed', async () => {
    const form = new FormData();
    const png = await sharp({ create: { width: 256, height: 256, channels: 3, background: 'teal' } }).png().toBuffer();
    form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'start.png');
    const upload = (await (await fetch(`${stack.url}/api/uploads`, { method: 'POST', body: form })).json()) as { id: string };
    const id = await submit({ provider: 'comfyui', kind: 'video', model: 'svd_xt.safetensors', inputImage: upload.id, params: { steps: 2, frames: 4, seed: 11 } });
    const { cached, assets } = await completedWithCache(id);
    expect(assets.map((a) => [a.type, a.mimeType])).toEqual([['video', 'image/webp']]);
    expect(cached).toEqual([true]);
    await expectServedFromCache(assets[0]!);
    expect(assets[0]!.fileName).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\d_video_11_${id.slice(0, 8)}\\.webp$`));
  });

  it('a v0 site: its thumbnail (the screenshot\'s) is in the cache when the job reads completed', async () => {
    const id = await submit({ provider: 'v0', kind: 'site', prompt: 'a landing page for a lighthouse museum' });
    const { cached, assets } = await completedWithCache(id);
    expect(assets[0]!.screenshot).toMatch(/^sites\/[^/]+\/\.screenshots\/[^/]+\.png$/);
    expect(cached).toEqual([true]);
    await expectServedFromCache(assets[0]!);
  });

  it.runIf(remote)('the remote worker kept nothing on its own disk (no output, no thumbnail)', async () => {
    const entries = await readdir(workerDir, { recursive: true, withFileTypes: true });
    expect(entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name))).toEqual([]);
  });
});
