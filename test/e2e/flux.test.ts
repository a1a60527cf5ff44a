import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPngText, type Health } from '@orchestrator/shared';
import { startStack, type Stack } from '../harness/stack.js';
import { jobsOver } from '../harness/jobs.js';
import { startFakeBfl, type FakeBfl } from '../fakes/bfl/index.js';

/* POST /api/jobs with provider "flux" through the whole product: server, worker, Redis, the BFL fake. */

let stack: Stack;
let bfl: FakeBfl;
const bodies: string[] = [];

beforeAll(async () => {
  bfl = await startFakeBfl({ pendingPolls: 2, credits: 777 });
  stack = await startStack('e2e-flux', { env: { BFL_API_URL: bfl.url, BFL_API_KEY: bfl.apiKey } });
});

afterAll(async () => {
  await stack?.close();
  await bfl?.close();
});

async function api(path: string, init?: RequestInit): Promise<Response> {
  const res = await fetch(`${stack.url}${path}`, init);
  bodies.push(await res.clone().text().catch(() => ''));
  return res;
}

const { submit, finished } = jobsOver(api);

describe('FLUX through POST /api/jobs, end to end', () => {
  let firstAsset = '';

  it('completes a flux job and serves the PNG with our metadata embedded', async () => {
    const id = await submit({ provider: 'flux', kind: 'image', prompt: 'a lighthouse at dusk', params: { aspectRatio: '16:9', seed: 5, outputFormat: 'png' } });
    const job = await finished(id);
    expect(job).toMatchObject({ status: 'completed', provider: 'flux', backend: 'bfl', request: { model: 'flux-pro-1.1-ultra' } });
    firstAsset = job.assets![0]!.id;
    const file = await api(job.assets![0]!.url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toMatch(/image\/png/);
    const meta = JSON.parse(readPngText(new Uint8Array(await file.arrayBuffer())).orchestrator!) as Record<string, unknown>;
    expect(meta).toMatchObject({ jobId: id, provider: 'flux', model: 'flux-pro-1.1-ultra', seed: 5, aspectRatio: '16:9' });
  });

  it('edits a gallery image with flux-kontext-pro', async () => {
    const id = await submit({ provider: 'flux', kind: 'image', model: 'flux-kontext-pro', prompt: 'make it snowy', inputImage: firstAsset });
    const job = await finished(id);
    expect(job.status).toBe('completed');
    const asset = (await (await api(`/api/assets/${job.assets![0]!.id}`)).json()) as { meta: Record<string, unknown> };
    expect(asset.meta).toMatchObject({ model: 'flux-kontext-pro', inputImage: firstAsset });
  });

  it('shows a moderated prompt as a failed job with a readable reason', async () => {
    bfl.faults.moderation = 'request';
    const job = await finished(await submit({ provider: 'flux', kind: 'image', prompt: 'something blocked' }));
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({ code: 'request_moderated', message: expect.stringMatching(/prompt was blocked by the provider's moderation/) });
  });

  it("reports FLUX configured with the account's credit balance in /api/health", async () => {
    const health = (await (await api('/api/health')).json()) as Health;
    expect(health.providers.flux).toMatchObject({ configured: true, credits: expect.any(Number) });
    expect(health.queues.flux).toBeDefined();
  });

  it('never puts the key in any response', async () => {
    await api('/api/jobs?provider=flux');
    await api('/api/assets');
    expect(bodies.length).toBeGreaterThan(5);
    for (const body of bodies) expect(body).not.toContain(bfl.apiKey);
  });
});
