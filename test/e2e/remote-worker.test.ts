import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { redisKeys, type Health, type Job } from '@orchestrator/shared';
import { HttpFileStore } from '../../worker/src/storage/http-file-store.js';
import { startStack, waitFor, type Stack } from '../harness/stack.js';
import { jobsOver } from '../harness/jobs.js';
import { startFakeBfl, type FakeBfl } from '../fakes/bfl/index.js';
import { startFakeV0, type FakeV0 } from '../fakes/v0/index.js';

/*
 * A worker on "another machine": its OUTPUT_PATH and DATA_PATH are not the server's. Every output
 * (ComfyUI images, FLUX images, v0 site folders) reaches the server through its storage API, input
 * images come back through it, nothing lands on the worker's disk, and a server that is down during a
 * hand-off only delays the job.
 */

let stack: Stack;
let bfl: FakeBfl;
let v0: FakeV0;
let workerDir: string;

beforeAll(async () => {
  workerDir = await mkdtemp(path.join(tmpdir(), 'orch-remote-worker-'));
  bfl = await startFakeBfl({ pendingPolls: 1 });
  v0 = await startFakeV0({ pendingPolls: 1, syncMs: 10 });
  stack = await startStack('e2e-remote', {
    comfy: { stepMs: 10 },
    env: { BFL_API_URL: bfl.url, BFL_API_KEY: bfl.apiKey, V0_API_URL: v0.url, V0_API_KEY: v0.apiKey },
    workerEnv: { OUTPUT_PATH: path.join(workerDir, 'output'), DATA_PATH: workerDir },
  });
});

afterAll(async () => {
  await stack?.close();
  await Promise.all([bfl?.close(), v0?.close()]);
  await rm(workerDir, { recursive: true, force: true });
});

/** Every file under a folder (none when it does not exist). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

const { submit, finished } = jobsOver((p, init) => fetch(`${stack.url}${p}`, init));

describe('a worker that does not share the server\'s disk', () => {
  it('hands every output to the server: images, an edit from an uploaded image, a site; all served, none on its own disk', async () => {
    const image = await finished(await submit({ provider: 'comfyui', kind: 'image', prompt: 'a lighthouse at dusk', params: { steps: 3, width: 64, height: 64 } }));
    expect(image.status).toBe('completed');
    // An upload lives on the server; the worker reads it back through the storage API.
    const form = new FormData();
    const png = await (await fetch(`${stack.url}${image.assets![0]!.url}`)).arrayBuffer();
    form.append('file', new Blob([png], { type: 'image/png' }), 'input.png');
    const upload = (await (await fetch(`${stack.url}/api/uploads`, { method: 'POST', body: form })).json()) as { id: string };
    const ids = [
      await submit({ provider: 'flux', kind: 'image', prompt: 'a red fox' }),
      await submit({ provider: 'flux', kind: 'image', model: 'flux-kontext-pro', prompt: 'make it snowy', inputImage: upload.id }),
      await submit({ provider: 'v0', kind: 'site', prompt: 'a landing page for a lighthouse museum' }),
    ];
    const jobs = await Promise.all(ids.map((id) => finished(id)));
    expect(jobs.map((j) => [j.provider, j.status, j.error?.message])).toEqual([
      ['flux', 'completed', undefined],
      ['flux', 'completed', undefined],
      ['v0', 'completed', undefined],
    ]);
    for (const job of [image, ...jobs]) {
      for (const asset of job.assets!) {
        const file = await fetch(`${stack.url}${asset.url}`);
        expect(file.status, `${job.provider} ${asset.url}`).toBe(200);
        await file.arrayBuffer();
      }
    }
    const site = await (await fetch(`${stack.url}/api/sites/${jobs[2]!.assets![0]!.id}`)).json();
    expect(site).toMatchObject({ versions: [expect.objectContaining({ filesSaved: true })] });
    expect(await filesUnder(path.join(workerDir, 'output'))).toEqual([]);
  });

  it('says so in /api/health: the worker reports "uploads to server"', async () => {
    const health = (await (await fetch(`${stack.url}/api/health`)).json()) as Health;
    expect(health.workers.live).toBe(1);
    expect(health.workers.list?.map((w) => [w.storage, w.providers])).toEqual([['uploads to server', ['comfyui', 'flux', 'v0']]]);
  });

  it('waits for a server that is down during the hand-off, then stores the output once', async () => {
    const id = await submit({ provider: 'comfyui', kind: 'image', prompt: 'a storm over the sea', params: { steps: 60, width: 64, height: 64 } });
    await waitFor(async () => ((await (await fetch(`${stack.url}/api/jobs/${id}`)).json()) as Job).status === 'running', 10000, 'running');
    let runningWhileDown = false;
    await stack.restartServer(2500, async () => {
      await new Promise((r) => setTimeout(r, 2000)); // the prompt (~0.6 s) has finished: its output waits for the server
      runningWhileDown = (await stack.redis.get(`${redisKeys(stack.config.keyPrefix).job(id)}`))?.includes('"status":"running"') ?? false;
    });
    expect(runningWhileDown).toBe(true);
    const job = await finished(id);
    expect(job.status).toBe('completed');
    const stored = (await filesUnder(stack.config.outputPath)).filter((f) => path.basename(f).includes(`_${id.slice(0, 8)}.`));
    const name = path.basename(stored.find((f) => f.endsWith('.png'))!);
    expect(name).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\d_a-storm-over-the-sea_\\d+_${id.slice(0, 8)}\\.png$`));
    expect(stored.map((f) => path.basename(f)).sort()).toEqual([name, `${name}.json`]);
    expect((await filesUnder(stack.config.outputPath)).filter((f) => f.endsWith('.part'))).toEqual([]);
    expect((await fetch(`${stack.url}${job.assets![0]!.url}`)).status).toBe(200);
  }, 60000);

  it('streams a 200 MB output to the server with bounded memory, checked by its SHA-256', async () => {
    const big = path.join(workerDir, 'big.bin');
    const handle = await open(big, 'w');
    const chunk = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < 200; i++) {
      chunk.fill(i % 251);
      await handle.write(chunk);
    }
    await handle.close();
    const keys = redisKeys(stack.config.keyPrefix);
    const token = (await stack.redis.hget(keys.storage, 'token'))!;
    const store = new HttpFileStore({ root: 'output', address: async () => ({ url: stack.url, token }), log: pino({ level: 'silent' }) });
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      await store.writeFrom('2030-01-01/big-video.mp4', big);
    } finally {
      clearInterval(sampler);
    }
    expect((await stat(path.join(stack.config.outputPath, '2030-01-01', 'big-video.mp4'))).size).toBe(200 * 1024 * 1024);
    // Client and server share this process: holding the body whole anywhere would add 200 MB.
    expect(peak - before).toBeLessThan(120 * 1024 * 1024);
  }, 60000);
});
