import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pino } from 'pino';
import {
  LocalFileStore,
  markStorageFolders,
  parseConfig,
  type FileStore,
  type FluxJobRequest,
  type GenerationMeta,
} from '@orchestrator/shared';
import { tinyDisk, type TinyDisk } from '../../../test/harness/tiny-disk.js';
import { startFakeV0, type FakeV0 } from '../../../test/fakes/v0/index.js';
import { saveOutput } from '../cloud/files.js';
import type { CloudProviderEntry } from '../cloud/registry.js';
import { diskFullFailure } from '../errors.js';
import { ComfyHttpClient, type HistoryEntry } from '../providers/comfyui/http-client.js';
import { saveOutputs } from '../providers/comfyui/outputs.js';
import { v0CloudProvider } from '../providers/v0/index.js';
import { SiteWriter } from '../providers/v0/site-writer.js';
import { startWorkerRuntime } from '../runtime.js';
import { createHarness } from '../testing/harness.js';
import { HttpFileStore } from './http-file-store.js';

/*
 * A full disk (the hostile test: `.part` files and sidecars without images left behind, `internal_error`,
 * and a v0 job reading `completed` with files missing). The first block runs on a real full disk (a tiny
 * tmpfs, needs root: skipped otherwise); the second injects ENOSPC-coded errors and runs everywhere.
 */

let root: string;
let disk: TinyDisk | null;
let fakeV0: FakeV0;
const meta: GenerationMeta = { provider: 'comfyui', prompt: 'a lighthouse', model: 'm.safetensors' };
const noise = (bytes: number) => Buffer.from(Array.from({ length: bytes }, (_, i) => (i * 2654435761) >>> 24));

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'orch-disk-full-'));
  disk = await tinyDisk(path.join(root, 'disk'), 256);
  fakeV0 = await startFakeV0({ pendingPolls: 1 });
});

afterAll(async () => {
  await fakeV0.close();
  await disk?.unmount();
  await rm(root, { recursive: true, force: true });
});

/** Every file under `dir` (hidden ones too), the filler and the server's storage marks left out. */
async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && e.name !== '.filler' && path.basename(e.parentPath) !== '.orchestrator')
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/** Starts each real-disk test on an empty disk (the storage mark, when there is one, kept). */
async function fresh(): Promise<TinyDisk> {
  const d = disk!;
  for (const name of await readdir(d.dir)) if (name !== '.orchestrator') await rm(path.join(d.dir, name), { recursive: true, force: true });
  return d;
}

describe('a full disk, for real (tmpfs)', () => {
  it('a file store write that does not fit throws ENOSPC, keeps the old file and leaves no temp file', async (ctx) => {
    if (!disk) return ctx.skip();
    const d = await fresh();
    const store = new LocalFileStore(d.dir);
    await store.write('day/old.png', 'old bytes');
    const local = path.join(root, 'big.bin');
    await writeFile(local, noise(64 * 1024));
    await d.fill(8 * 1024);
    await expect(store.write('day/old.png', noise(64 * 1024))).rejects.toMatchObject({ code: 'ENOSPC' });
    await expect(store.writeFrom('day/new.mp4', local)).rejects.toMatchObject({ code: 'ENOSPC' });
    await expect(store.writeStream('day/up.bin', Readable.from([noise(32 * 1024), noise(32 * 1024)]), { maxBytes: 1e9 })).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await readFile(path.join(d.dir, 'day/old.png'), 'utf8')).toBe('old bytes');
    expect(await files(d.dir)).toEqual(['day/old.png']);
  });

  it('a site version that does not fit fails as a whole: the previous version stays, nothing partial appears', async (ctx) => {
    if (!disk) return ctx.skip();
    const d = await fresh();
    const writer = new SiteWriter(new LocalFileStore(d.dir));
    await writer.writeVersion('chat1', 'v1', [{ name: 'app/page.tsx', content: 'v1' }]);
    await d.fill(8 * 1024);
    const big = [{ name: 'app/page.tsx', content: 'v2' }, ...Array.from({ length: 8 }, (_, i) => ({ name: `public/${i}.txt`, content: 'x'.repeat(16 * 1024) }))];
    await expect(writer.writeVersion('chat1', 'v1', big)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await files(d.dir)).toEqual(['sites/chat1/v1/app/page.tsx']);
    expect(await readFile(path.join(d.dir, 'sites/chat1/v1/app/page.tsx'), 'utf8')).toBe('v1');
  });

  it('ComfyUI outputs: when the sidecar fits but an image does not, nothing of the job stays (no sidecar without its image)', async (ctx) => {
    if (!disk) return ctx.skip();
    const d = await fresh();
    const small = noise(1000);
    const client = {
      viewBytes: async (image: { filename: string }) => ({ bytes: image.filename === 'b.png' ? noise(64 * 1024) : small, contentType: 'image/png' }),
    } as unknown as ComfyHttpClient;
    const entry: HistoryEntry = {
      outputs: { '9': { images: [{ filename: 'a.png', subfolder: '', type: 'output' }, { filename: 'b.png', subfolder: '', type: 'output' }] } },
    } as HistoryEntry;
    await d.fill(16 * 1024); // room for the first image and both sidecars, not for the second image
    const err = await saveOutputs({ client, backendId: 'comfyui-1', store: new LocalFileStore(d.dir), jobId: 'job1', entry, meta }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ENOSPC' });
    expect(await files(d.dir)).toEqual([]);
  });

  it('a BFL output: the sidecar goes when its image cannot be written', async (ctx) => {
    if (!disk) return ctx.skip();
    const d = await fresh();
    await d.fill(8 * 1024);
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), noise(64 * 1024)]);
    const saving = saveOutput({ store: new LocalFileStore(d.dir), jobId: 'job2', index: 1, bytes: jpeg, type: { ext: '.jpg', mime: 'image/jpeg' }, meta });
    await expect(saving).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await files(d.dir)).toEqual([]);
  });

  it('a v0 site job whose files cannot all be written fails disk_full; it never reads completed', async (ctx) => {
    if (!disk) return ctx.skip();
    const d = await fresh();
    const h = await createHarness('disk-full-v0');
    // What the server does at boot, on the full disk: the worker then writes there directly.
    await markStorageFolders(h.redis, h.keys.storage, { output: d.dir, uploads: path.join(d.dir, 'uploads') });
    const config = parseConfig(h.env([], { OUTPUT_PATH: d.dir, DATA_PATH: d.dir, V0_API_URL: fakeV0.url, V0_API_KEY: fakeV0.apiKey }));
    const runtime = await startWorkerRuntime(config, { cloudProviders: [v0CloudProvider], cloud: { v0: { pollInitialMs: 10, pollMaxMs: 20 } } });
    try {
      await d.fill(0);
      const id = await h.enqueueRequest({ provider: 'v0', kind: 'site', prompt: 'a site for a lighthouse museum' });
      const job = await h.waitForJob(id, (j) => j.status === 'completed' || j.status === 'failed');
      expect(job.status).toBe('failed');
      expect(job.error).toMatchObject({ code: 'disk_full', message: expect.stringMatching(/output disk is full.*retry the job/) });
      expect(job.assets).toBeUndefined();
      expect(await files(d.dir)).toEqual([]);
    } finally {
      await runtime.close();
      await h.close();
    }
  });
});

/** A store whose writes of images fail the way a full disk makes them fail (sidecars still fit). */
function fullFor(inner: FileStore, code: string): FileStore {
  const fail = () => Object.assign(new Error(`${code}: no space left on device, write`), { code, errno: -28, syscall: 'write' });
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'write') return (rel: string, data: string | Uint8Array) => (rel.endsWith('.json') ? target.write(rel, data) : Promise.reject(fail()));
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

describe('a full disk, injected (every platform)', () => {
  it.each(['ENOSPC', 'EDQUOT', 'EFBIG'])('a job whose output hits %s ends failed disk_full with a message for the user, leaving no sidecar', async (code) => {
    const h = await createHarness(`disk-full-${code.toLowerCase()}`);
    const entry: CloudProviderEntry = {
      queue: 'flux',
      backendId: 'flux',
      enabled: () => true,
      concurrency: () => 1,
      create: ({ storage }) => ({
        provider: {
          run: async (job) => ({
            assets: [await saveOutput({ store: fullFor(storage.output, code), jobId: job.id, index: 1, bytes: noise(100), type: { ext: '.jpg', mime: 'image/jpeg' }, meta })],
          }),
        },
      }),
    };
    const runtime = await startWorkerRuntime(h.config([]), { cloudProviders: [entry] });
    try {
      const request: FluxJobRequest = { provider: 'flux', kind: 'image', prompt: 'a lighthouse' };
      const id = await h.enqueueRequest(request);
      const job = await h.waitForJob(id, (j) => j.status === 'failed' || j.status === 'completed');
      expect(job).toMatchObject({ status: 'failed', error: { code: 'disk_full', details: { errno: code } } });
      expect(job.error!.message).toMatch(/could not be saved/);
      expect(job.error!.message).not.toMatch(/Worker error|internal/i);
      expect(await files(h.outputPath)).toEqual([]);
    } finally {
      await runtime.close();
      await h.close();
    }
  });

  it('says which disk and why', () => {
    const errno = (code: string) => Object.assign(new Error(code), { code });
    expect(diskFullFailure(errno('ENOSPC')).message).toMatch(/the output disk is full/);
    expect(diskFullFailure(errno('EDQUOT')).message).toMatch(/over its quota/);
    expect(diskFullFailure(errno('EFBIG')).message).toMatch(/cannot hold a file this large/);
    expect(diskFullFailure(new Error('wrapped', { cause: errno('ENOSPC') })).details).toEqual({ errno: 'ENOSPC' });
  });

  it("a worker writing through the storage API hears the server's 507 as disk full at once (no retrying into it)", async () => {
    let calls = 0;
    const server: Server = createServer((req, res) => {
      calls++;
      req.resume();
      res.writeHead(507, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'disk_full', message: "The server's disk has no room for this" }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const store = new HttpFileStore({ root: 'output', address: async () => ({ url, token: 't' }), log: pino({ level: 'silent' }), retryBaseMs: 5 });
      const err = await store.write('day/a.png', 'bytes').catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'DiskFullError', code: 'disk_full' });
      expect(calls).toBe(1);
      expect(diskFullFailure(err).message).toMatch(/the server's output disk is full/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it("a ComfyUI output that cannot be written to this worker's temp disk is our disk, not an unreachable backend", async (ctx) => {
    if (process.platform !== 'linux') return ctx.skip();
    const server: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'video/mp4' }).end(noise(64 * 1024)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client = new ComfyHttpClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      // /dev/full answers every write with a real ENOSPC, no root needed.
      const err = await client.download({ filename: 'clip.mp4', subfolder: '', type: 'output' }, '/dev/full').catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ENOSPC' });
    } finally {
      client.close();
      await new Promise((r) => server.close(r));
    }
  });
});
