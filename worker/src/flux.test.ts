import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Queue } from 'bullmq';
import { AssetStore, readImageText, readPngText, type AssetSidecar, type Job } from '@orchestrator/shared';
import { startFakeBfl, type FakeBfl } from '../../test/fakes/bfl/index.js';
import { startWorkerRuntime, type WorkerRuntime } from './runtime.js';
import { createHarness, sleep, type Harness } from './testing/harness.js';
import { capturingLogger, enqueueFlux, fluxQueue } from './testing/flux.js';

let h: Harness;
let bfl: FakeBfl;
let queue: Queue;
let runtime: WorkerRuntime;
const log = capturingLogger();
const TUNING = { pollInitialMs: 30, pollMaxMs: 120, rateLimitRetryMs: 200 };

beforeAll(async () => {
  h = await createHarness('flux');
  bfl = await startFakeBfl({ pendingPolls: 3, sampleTtlMs: 3000 });
  queue = fluxQueue(h);
  runtime = await startWorkerRuntime(h.config([], { BFL_API_URL: bfl.url, BFL_API_KEY: bfl.apiKey }), { logger: log.logger, cloud: { flux: TUNING } });
});

afterAll(async () => {
  await runtime?.close();
  await queue?.close();
  await bfl?.close();
  await h?.close();
});

const settled = (id: string) => h.waitForJob(id, (j: Job) => j.status === 'completed' || j.status === 'failed' || j.status === 'cancelled');

describe('the flux queue against the BFL fake', () => {
  it('maps Pending to progress and Ready to a completed job whose PNG carries our metadata, downloaded at once', async () => {
    const downloads = bfl.stats.downloads;
    bfl.faults.pendingPolls = 8; // long enough for the progress reporter (one write per 200 ms) to send some
    const id = await enqueueFlux(h, { prompt: 'a red fox', params: { aspectRatio: '1:1', seed: 42, outputFormat: 'png', raw: true } });
    const job = await settled(id);
    bfl.faults.pendingPolls = 3;
    expect(job.status).toBe('completed');
    expect(job.backend).toBe('bfl');
    expect(job.assets).toHaveLength(1);
    expect(bfl.stats.downloads).toBe(downloads + 1);

    const events = await h.jobEvents(id);
    const progress = events.filter((e) => e.type === 'job.progress').map((e) => (e.data as Job).progress.message);
    expect(progress).toContain('generating on FLUX');

    const asset = (await new AssetStore(h.redis, h.prefix).get(job.assets![0]!.id))!;
    expect(asset).toMatchObject({ type: 'image', mimeType: 'image/png', meta: { jobId: id, provider: 'flux', model: 'flux-pro-1.1-ultra', prompt: 'a red fox', seed: 42, aspectRatio: '1:1', backend: 'bfl' } });
    expect(asset.meta.width).toBe(asset.meta.height);
    const file = path.join(h.outputPath, asset.relPath);
    const embedded = JSON.parse(readPngText(await readFile(file)).orchestrator!) as object;
    expect(embedded).toEqual(asset.meta);
    const sidecar = JSON.parse(await readFile(`${file}.json`, 'utf8')) as AssetSidecar;
    expect(sidecar.meta).toEqual(asset.meta);

    // the signed sample URL is neither stored nor shown anywhere
    const everything = JSON.stringify([job, events, asset, sidecar]);
    expect(everything).not.toMatch(/sig=|\/results\//);
    expect(await h.redis.exists(h.keys.cloudTask('bfl', id))).toBe(0);
  });

  it('writes a JPEG with the metadata in its sidecar and the real pixel size', async () => {
    const id = await enqueueFlux(h, { model: 'flux-dev', params: { width: 512, height: 768, steps: 12, guidance: 2.5 } });
    const job = await settled(id);
    const asset = (await new AssetStore(h.redis, h.prefix).get(job.assets![0]!.id))!;
    expect(asset.fileName).toMatch(/\.jpg$/);
    expect(asset.meta).toMatchObject({ model: 'flux-dev', width: 512, height: 768, steps: 12, guidance: 2.5 });
    const sidecar = JSON.parse(await readFile(path.join(h.outputPath, `${asset.relPath}.json`), 'utf8')) as AssetSidecar;
    expect(sidecar.meta).toEqual(asset.meta);
    // The file itself carries our metadata too (a JPEG comment), for drop-to-reuse from the desktop.
    const read = readImageText(await readFile(path.join(h.outputPath, asset.relPath)));
    expect(read).toMatchObject({ format: 'jpeg', damaged: false });
    expect(JSON.parse(read.text.orchestrator!)).toEqual(asset.meta);
  });

  it.each([
    ['Request Moderated', { moderation: 'request' as const }, 'request_moderated', /prompt was blocked by the provider's moderation/],
    ['Content Moderated', { moderation: 'content' as const }, 'content_moderated', /result was blocked by the provider's moderation/],
    ['Error', { error: true }, 'provider_error', /could not generate/],
    ['402', { status402: true }, 'out_of_credits', /out of credits/i],
  ])('fails the job on %s with a message for a person', async (_what, fault, code, message) => {
    Object.assign(bfl.faults, fault);
    const job = await settled(await enqueueFlux(h));
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe(code);
    expect(job.error?.message).toMatch(message);
  });

  it('re-queues on a 429 with Retry-After and runs the job after that wait, without failing it', async () => {
    bfl.faults.status429 = { retryAfterSec: 1 };
    const started = Date.now();
    const id = await enqueueFlux(h);
    const job = await settled(id);
    expect(job.status).toBe('completed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const waits = (await h.jobEvents(id)).map((e) => (e.data as Job).progress?.message ?? '');
    expect(waits).toContain('FLUX is at its concurrency limit; trying again in 1 s');
  });

  it('re-queues on a 429 without Retry-After after its own short backoff', async () => {
    bfl.faults.status429 = {};
    const id = await enqueueFlux(h);
    expect((await settled(id)).status).toBe('completed');
    const waits = (await h.jobEvents(id)).map((e) => (e.data as Job).progress?.message ?? '');
    expect(waits.some((m) => /concurrency limit; trying again/.test(m))).toBe(true);
  });

  it('fails a submit answered 5xx (the task may be billed) and never submits it again', async () => {
    bfl.faults.submit5xx = 502;
    const submits = bfl.stats.submits;
    const id = await enqueueFlux(h);
    const job = await settled(id);
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe('submit_uncertain');
    expect(job.error?.message).toMatch(/502.*may still have been created and billed.*not sent again/);
    await sleep(800);
    expect(bfl.stats.submits).toBe(submits + 1);
    expect(await (await queue.getJob(id))?.getState()).toBe('failed');
  });

  it('keeps polling through a 5xx on a poll', async () => {
    bfl.faults.poll5xx = true;
    expect((await settled(await enqueueFlux(h))).status).toBe('completed');
  });

  it('cancels a job while it polls', async () => {
    bfl.faults.pendingPolls = 1000;
    try {
      const id = await enqueueFlux(h);
      await h.waitForJob(id, (j) => j.progress.message === 'generating on FLUX');
      await h.redis.publish(h.keys.cancelChannel, id);
      expect((await settled(id)).status).toBe('cancelled');
    } finally {
      bfl.faults.pendingPolls = 3;
    }
  });

  it('never writes the key to a log line, a job record or an event', async () => {
    const everything = [...log.lines, JSON.stringify(await h.events.readAfter('0-0', 10000))].join('\n');
    expect(log.lines.length).toBeGreaterThan(10);
    expect(everything).not.toContain(bfl.apiKey);
  });
});
