import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AssetStore, S3FileStore, S3_ROOTS, parseConfig, s3ClientFor, s3ThumbRelPath, type Asset, type Health, type S3StorageConfig } from '@orchestrator/shared';
import { startStack, waitFor, type Stack } from '../harness/stack.js';
import { jobsOver } from '../harness/jobs.js';
import { startFakeS3, type FakeS3 } from '../fakes/s3/index.js';
import { startFakeV0, type FakeV0 } from '../fakes/v0/index.js';

/*
 * STORAGE=s3 end to end, against a real S3 protocol server (s3rver) on loopback, with a worker that
 * shares no disk with the server (its own OUTPUT_PATH and DATA_PATH): a ComfyUI job's output,
 * sidecar and thumbnail land in the bucket (nothing in OUTPUT_PATH), the server serves them with Range
 * from the bucket, lists, zips, deletes into the bucket's trash, restores, and a rescan rebuilds the
 * index by listing the bucket; uploads go to the bucket and a job reads them back from it.
 */

let s3: FakeS3;
let v0: FakeV0;
/** The worker's own OUTPUT_PATH and DATA_PATH: it runs as on another machine, sharing nothing but Redis and the bucket. */
let workerDir: string;
let stack: Stack;
let output: S3FileStore;

beforeAll(async () => {
  s3 = await startFakeS3();
  v0 = await startFakeV0({ pendingPolls: 1, syncMs: 10 });
  workerDir = await mkdtemp(path.join(tmpdir(), 'orch-s3-worker-'));
  stack = await startStack('e2e-s3', {
    comfy: { stepMs: 10 },
    env: { ...s3.env, V0_API_URL: v0.url, V0_API_KEY: v0.apiKey },
    workerEnv: { OUTPUT_PATH: path.join(workerDir, 'output'), DATA_PATH: workerDir },
  });
  output = new S3FileStore(s3ClientFor(parseConfig(s3.env).storage as S3StorageConfig), s3.bucket, S3_ROOTS.output);
});

afterAll(async () => {
  output?.client.destroy();
  await stack?.close();
  await Promise.all([s3?.close(), v0?.close()]);
  if (workerDir) await rm(workerDir, { recursive: true, force: true });
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile() && !e.parentPath.includes('.orchestrator')).map((e) => path.join(e.parentPath, e.name));
}

let asset: Asset;

const { submit, finished } = jobsOver((p, init) => fetch(`${stack.url}${p}`, init));

describe('STORAGE=s3', () => {
  it('a job writes its output, sidecar and thumbnail to the bucket; the worker shows "object storage"', async () => {
    const job = await finished(await submit({ provider: 'comfyui', kind: 'image', prompt: 'a lighthouse at dusk', params: { steps: 3, width: 64, height: 64 } }));
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    asset = (await (await fetch(`${stack.url}/api/assets/${job.assets![0]!.id}`)).json()) as Asset;
    expect(await output.size(asset.relPath)).toBe(asset.size);
    expect(JSON.parse((await output.read(`${asset.relPath}.json`))!.toString()).meta.prompt).toBe('a lighthouse at dusk');
    await waitFor(async () => (await output.sibling(S3_ROOTS.thumbs).size(s3ThumbRelPath(asset.id))) !== null, 10000, 'the thumbnail in the bucket');
    expect(await filesUnder(stack.config.outputPath)).toEqual([]);
    expect(await filesUnder(workerDir)).toEqual([]);
    const health = (await (await fetch(`${stack.url}/api/health`)).json()) as Health;
    expect(health.workers.list?.map((w) => w.storage)).toEqual(['object storage']);
  });

  it('serves the file from the bucket with Range, 304 and 416, and its thumbnail', async () => {
    const whole = await fetch(`${stack.url}/api/assets/${asset.id}/file`);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('image/png');
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    const bytes = Buffer.from(await whole.arrayBuffer());
    expect(bytes.length).toBe(asset.size);
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    const part = await fetch(`${stack.url}/api/assets/${asset.id}/file`, { headers: { range: 'bytes=8-23' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 8-23/${asset.size}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(8, 24));
    const tail = await fetch(`${stack.url}/api/assets/${asset.id}/file`, { headers: { range: 'bytes=-10' } });
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(bytes.subarray(bytes.length - 10));
    expect((await fetch(`${stack.url}/api/assets/${asset.id}/file`, { headers: { range: `bytes=${asset.size + 5}-` } })).status).toBe(416);
    expect((await fetch(`${stack.url}/api/assets/${asset.id}/file`, { headers: { 'if-none-match': whole.headers.get('etag')! } })).status).toBe(304);
    const thumb = await fetch(`${stack.url}/api/assets/${asset.id}/thumb`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('x-thumbnail')).toBe('image');
    const webp = Buffer.from(await thumb.arrayBuffer());
    expect(webp.subarray(8, 12).toString()).toBe('WEBP');
    expect((await fetch(`${stack.url}/api/assets/${asset.id}/thumb`, { headers: { 'if-none-match': thumb.headers.get('etag')! } })).status).toBe(304);
    // The legacy route by file name reads the bucket too.
    const legacy = await fetch(`${stack.url}/api/canvas/image/${encodeURIComponent(asset.fileName)}`);
    expect(legacy.status).toBe(200);
    expect(Buffer.from(await legacy.arrayBuffer())).toEqual(bytes);
  });

  it('lists the asset and zips it with its sidecar from the bucket', async () => {
    const page = (await (await fetch(`${stack.url}/api/assets`)).json()) as { items: Asset[] };
    expect(page.items.map((a) => a.id)).toContain(asset.id);
    const zip = await fetch(`${stack.url}/api/assets/download?ids=${asset.id}`);
    expect(zip.status).toBe(200);
    expect(zip.headers.get('x-missing-assets')).toBe('0');
    const body = Buffer.from(await zip.arrayBuffer());
    expect(body.subarray(0, 2).toString()).toBe('PK');
    expect(body.includes(Buffer.from(asset.fileName))).toBe(true);
    expect(body.includes(Buffer.from(`${asset.fileName}.json`))).toBe(true);
  });

  it('bad input is still answered 4xx', async () => {
    expect((await fetch(`${stack.url}/api/assets/0123456789abcdef/file`)).status).toBe(404);
    expect((await fetch(`${stack.url}/api/assets/not-an-id/file`)).status).toBe(400);
    expect((await fetch(`${stack.url}/api/assets/download?ids=0123456789abcdef`)).status).toBe(404);
    expect((await fetch(`${stack.url}/api/uploads/nope`)).status).toBeGreaterThanOrEqual(400);
  });

  it('deletes into the bucket\'s trash and restores from it', async () => {
    expect((await fetch(`${stack.url}/api/assets/${asset.id}`, { method: 'DELETE' })).status).toBe(200);
    expect(await output.size(asset.relPath)).toBeNull();
    expect(await output.size(`${asset.relPath}.json`)).toBeNull();
    const trashed: string[] = [];
    for await (const o of output.sibling(S3_ROOTS.trash).walk()) trashed.push(o.rel);
    expect(trashed.some((r) => r.endsWith(`/files/${asset.fileName}`))).toBe(true);
    expect(trashed.some((r) => r.endsWith('/trash.json'))).toBe(true);
    expect((await fetch(`${stack.url}/api/assets/${asset.id}/file`)).status).toBe(404);
    const trash = (await (await fetch(`${stack.url}/api/assets/trash`)).json()) as { items: { id: string }[] };
    expect(trash.items.map((t) => t.id)).toContain(asset.id);
    const preview = await fetch(`${stack.url}/api/assets/trash/${asset.id}/thumb`);
    expect([preview.status, preview.headers.get('content-type')]).toEqual([200, 'image/webp']);
    const restored = await fetch(`${stack.url}/api/assets/restore`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ids: [asset.id] }) });
    expect(restored.status, await restored.clone().text()).toBe(200);
    expect(await output.size(asset.relPath)).toBe(asset.size);
    expect((await fetch(`${stack.url}/api/assets/${asset.id}/file`)).status).toBe(200);
  });

  it('purges a trashed asset from the bucket for good', async () => {
    await output.write('2030-02-02/gone.png', (await output.read(asset.relPath))!);
    await stack.restartServer(10); // indexed by the startup rescan
    const gone = await waitFor(async () => ((await (await fetch(`${stack.url}/api/assets?limit=50`)).json()) as { items: Asset[] }).items.find((a) => a.relPath === '2030-02-02/gone.png'), 15000, 'the rescan');
    expect((await fetch(`${stack.url}/api/assets/${gone.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${stack.url}/api/assets/trash/${gone.id}`, { method: 'DELETE' })).status).toBe(200);
    const left: string[] = [];
    for await (const o of output.sibling(S3_ROOTS.trash).walk()) if (o.rel.startsWith(`${gone.id}-`)) left.push(o.rel);
    expect(left).toEqual([]);
    expect((await fetch(`${stack.url}/api/assets/trash/${gone.id}/thumb`)).status).toBe(404);
  });

  it('a rescan rebuilds the index by listing the bucket', async () => {
    const store = new AssetStore(stack.redis, stack.config.keyPrefix);
    await store.remove(asset.id);
    // An object put there by hand (another tool, a restore from backup) is indexed from its sidecar.
    await output.write('2031-05-05/by-hand.png.json', JSON.stringify({ version: 1, createdAt: '2031-05-05T10:00:00.000Z', meta: { prompt: 'copied in' } }));
    await output.write('2031-05-05/by-hand.png', (await output.read(asset.relPath))!);
    await stack.restartServer(10);
    const ids = await waitFor(
      async () => {
        const page = (await (await fetch(`${stack.url}/api/assets?limit=50`)).json()) as { items: Asset[] };
        return page.items.length >= 2 ? page.items : null;
      },
      15000,
      'the rescan',
    );
    expect(ids.map((a) => a.relPath).sort()).toEqual([asset.relPath, '2031-05-05/by-hand.png'].sort());
    expect(ids.find((a) => a.relPath === '2031-05-05/by-hand.png')?.meta.prompt).toBe('copied in');
    // It has no thumbnail in the bucket (no worker made one): the server makes it once and files it there.
    const byHand = ids.find((a) => a.relPath === '2031-05-05/by-hand.png')!;
    expect(await output.sibling(S3_ROOTS.thumbs).size(s3ThumbRelPath(byHand.id))).toBeNull();
    const cold = await fetch(`${stack.url}/api/assets/${byHand.id}/thumb`);
    expect([cold.status, cold.headers.get('x-thumbnail')]).toEqual([200, 'image']);
    expect(await output.sibling(S3_ROOTS.thumbs).size(s3ThumbRelPath(byHand.id))).toBe(Buffer.from(await cold.arrayBuffer()).length);
    expect((await fetch(`${stack.url}/api/assets/${asset.id}/file`)).status).toBe(200);
  });

  it('a v0 site\'s files go to the bucket and the site studio reads them from there', async () => {
    const job = await finished(await submit({ provider: 'v0', kind: 'site', prompt: 'a landing page for a lighthouse museum' }));
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    const siteId = job.assets![0]!.id;
    const site = (await (await fetch(`${stack.url}/api/sites/${siteId}`)).json()) as { chatId: string; versions: { id: string; filesSaved: boolean; files: string[] }[] };
    expect(site.versions).toEqual([expect.objectContaining({ filesSaved: true })]);
    const version = site.versions[0]!;
    expect((await output.list(`sites/${site.chatId}`)).length).toBeGreaterThan(0);
    const text = await fetch(`${stack.url}/api/sites/${siteId}/versions/${version.id}/files/${version.files[0]}`);
    expect(text.status).toBe(200);
    expect((await text.text()).length).toBeGreaterThan(0);
    const thumb = await fetch(`${stack.url}/api/assets/${siteId}/thumb`);
    expect([thumb.status, thumb.headers.get('x-thumbnail')]).toEqual([200, 'image']); // the screenshot's, filed by the worker
    expect(await filesUnder(stack.config.outputPath)).toEqual([]);
  });

  it('uploads go to the bucket and a job reads its input image back from it', async () => {
    const png = (await output.read(asset.relPath))!;
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'input.png');
    const res = await fetch(`${stack.url}/api/uploads`, { method: 'POST', body: form });
    expect(res.status, await res.clone().text()).toBe(201);
    const upload = (await res.json()) as { id: string };
    expect(await output.sibling(S3_ROOTS.uploads).size(`${upload.id}.png`)).toBe(png.length);
    expect(Buffer.from(await (await fetch(`${stack.url}/api/uploads/${upload.id}`)).arrayBuffer())).toEqual(png);
    const uploadsBefore = stack.comfy[0]!.stats.uploads;
    const job = await finished(await submit({ provider: 'comfyui', kind: 'image', prompt: 'the same, at night', inputImage: upload.id, params: { steps: 2 } }));
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    expect(stack.comfy[0]!.stats.uploads).toBe(uploadsBefore + 1); // the worker read it from the bucket and sent it to ComfyUI
    const made = (await (await fetch(`${stack.url}/api/assets/${job.assets![0]!.id}`)).json()) as Asset;
    expect(await output.size(made.relPath)).toBe(made.size);
    expect(await filesUnder(path.join(stack.config.dataPath, 'uploads'))).toEqual([]);
    expect(await filesUnder(workerDir)).toEqual([]);
  });
});

describe('STORAGE=s3 with S3_PUBLIC_READS=presigned', () => {
  it('redirects a file to a short-lived signed URL of the bucket, which serves it (and its ranges) itself', async () => {
    // A second server on the same index and bucket, reading through presigned URLs.
    const presigned = await startStack('e2e-s3-presigned', { noWorker: true, env: { ...s3.env, S3_PUBLIC_READS: 'presigned', KEY_PREFIX: stack.config.keyPrefix } });
    try {
      const res = await fetch(`${presigned.url}/api/assets/${asset.id}/file?download=1`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      expect(res.headers.get('cache-control')).toContain('no-store');
      const location = res.headers.get('location')!;
      expect(location.startsWith(`${s3.url}/${s3.bucket}/output/`)).toBe(true);
      expect(location).toMatch(/X-Amz-Expires=300/);
      const direct = await fetch(location);
      expect(direct.status).toBe(200);
      expect(direct.headers.get('content-type')).toBe('image/png');
      expect(direct.headers.get('content-disposition')).toMatch(/^attachment; filename=/);
      const bytes = Buffer.from(await direct.arrayBuffer());
      expect(bytes.length).toBe(asset.size);
      const part = await fetch(location, { headers: { range: 'bytes=0-7' } });
      expect(part.status).toBe(206);
      expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(0, 8));
      expect((await fetch(`${presigned.url}/api/assets/0123456789abcdef/file`, { redirect: 'manual' })).status).toBe(404);
    } finally {
      await presigned.close();
    }
  });
});
