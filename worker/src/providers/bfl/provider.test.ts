import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { AssetStore, LocalFileStore, redisKeys, type FluxJobRequest, type JobProgress } from '@orchestrator/shared';
import { startFakeBfl, type FakeBfl } from '../../../../test/fakes/bfl/index.js';
import { JobFailure } from '../../errors.js';
import type { RunContext } from '../provider.js';
import { BflHttpClient } from './http-client.js';
import { BflProvider } from './provider.js';
import { BflTaskStore } from './task-store.js';

const prefix = `test-worker-bflprov-${randomUUID().slice(0, 8)}`;
const keys = redisKeys(prefix);
let redis: Redis;
let bfl: FakeBfl;
let expiring: FakeBfl;
let dir: string;
let tasks: BflTaskStore;

beforeAll(async () => {
  redis = new Redis('redis://127.0.0.1:6379');
  bfl = await startFakeBfl({ pendingPolls: 2 });
  expiring = await startFakeBfl({ pendingPolls: 0, sampleTtlMs: 0 });
  dir = await mkdtemp(path.join(tmpdir(), 'orch-bflprov-'));
  tasks = new BflTaskStore(redis, (id) => keys.cloudTask('bfl', id));
});

afterAll(async () => {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (found.length > 0) await redis.del(...found);
  } while (cursor !== '0');
  await redis.quit();
  await Promise.all([bfl.close(), expiring.close()]);
  await rm(dir, { recursive: true, force: true });
});

function provider(fake: FakeBfl, key = fake.apiKey): BflProvider {
  return new BflProvider({
    client: new BflHttpClient(fake.url, key),
    tasks,
    roots: { assets: new AssetStore(redis, prefix), output: new LocalFileStore(dir), uploads: new LocalFileStore(path.join(dir, 'uploads')) },
    store: new LocalFileStore(dir),
    tuning: { pollInitialMs: 20, pollMaxMs: 50 },
  });
}

function context(): RunContext & { seen: JobProgress[] } {
  const seen: JobProgress[] = [];
  return {
    signal: new AbortController().signal,
    backend: { id: 'bfl', url: '' },
    progress: (p) => seen.push(p),
    preview: () => undefined,
    attempt: 1,
    log: pino({ level: 'silent' }),
    seen,
  };
}

const request: FluxJobRequest = { provider: 'flux', kind: 'image', prompt: 'a lighthouse', model: 'flux-pro-1.1' };

async function failureOf(p: Promise<unknown>): Promise<JobFailure> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(JobFailure);
  return err as JobFailure;
}

describe('BflProvider', () => {
  it.each([
    ['a missing key (401)', ''],
    ['a wrong key (403)', 'bfl_not_the_key'],
  ])('fails with "the FLUX API key is invalid" on %s', async (_what, key) => {
    const err = await failureOf(provider(bfl, key).run({ id: randomUUID(), request }, context()));
    expect(err.code).toBe('provider_auth');
    expect(err.message).toMatch(/^The FLUX API key is invalid \(BFL answered 40[13]\); check BFL_API_KEY$/);
  });

  it('fails with a clear message when the signed result URL has already expired', async () => {
    const err = await failureOf(provider(expiring).run({ id: randomUUID(), request }, context()));
    expect(err.code).toBe('result_expired');
    expect(err.message).toMatch(/download link had expired/);
  });

  it('resumes a persisted task by polling its polling_url instead of submitting again', async () => {
    const first = await new BflHttpClient(bfl.url, bfl.apiKey).submit('flux-pro-1.1', { prompt: 'a lighthouse' });
    const jobId = randomUUID();
    await tasks.submitted(jobId, { model: 'flux-pro-1.1', at: Date.now(), ...first });
    const submits = bfl.stats.submits;
    const ctx = context();
    const result = await provider(bfl).run({ id: jobId, request }, { ...ctx, attempt: 2 });
    expect(result.assets).toHaveLength(1);
    expect(bfl.stats.submits).toBe(submits);
    expect(ctx.seen[0]?.message).toBe('resuming the FLUX task');
    expect(await tasks.get(jobId)).toBeNull();
  });

  it('does not submit again after an attempt that stopped mid-submit (it may have been billed)', async () => {
    const jobId = randomUUID();
    await tasks.submitting(jobId, 'flux-pro-1.1');
    const submits = bfl.stats.submits;
    const err = await failureOf(provider(bfl).run({ id: jobId, request }, context()));
    expect(err.code).toBe('submit_uncertain');
    expect(bfl.stats.submits).toBe(submits);
  });

  it('refuses on dequeue a param the model does not take (a job queued by an older server)', async () => {
    const err = await failureOf(provider(bfl).run({ id: randomUUID(), request: { ...request, params: { steps: 10 } } }, context()));
    expect(err.code).toBe('validation_failed');
    expect(err.message).toMatch(/flux-pro-1.1 does not take steps/);
  });

  it('fails an input image that is neither an asset nor an upload, before anything is sent', async () => {
    const submits = bfl.stats.submits;
    const err = await failureOf(provider(bfl).run({ id: randomUUID(), request: { ...request, model: 'flux-kontext-pro', inputImage: randomUUID() } }, context()));
    expect(err.code).toBe('invalid_input');
    expect(bfl.stats.submits).toBe(submits);
  });
});
