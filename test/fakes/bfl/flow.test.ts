// Happy path and the documented odd cases of polling: another host name, Pending then Ready, moderation,
// Error, Task not found, expiring sample URLs, and tasks that finish without being polled.
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeBfl, startFakeBfl } from './index.js';
import { checkPng, probe } from './probe.js';
import { poll, pollToEnd, submit, submitAndFinish } from './testkit.js';

let fake: FakeBfl | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('fake BFL: submit and poll', () => {
  it('returns {id, polling_url, cost} whose polling_url is on another host name but the same port', async () => {
    fake = await startFakeBfl();
    const r = await submit(fake, 'flux-pro-1.1', { prompt: 'a lighthouse' });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-request-id')).toBeTruthy();
    const polling = new URL(r.json.polling_url as string);
    const submitUrl = new URL(fake.url);
    expect(polling.hostname).not.toBe(submitUrl.hostname);
    expect(polling.port).toBe(submitUrl.port);
    expect(polling.origin).toBe(fake.pollingHost);
    expect(polling.pathname).toBe('/v1/get_result');
    expect(polling.searchParams.get('id')).toBe(r.json.id);
    expect(r.json.cost).toBe(4);
  });

  it('answers Pending (progress null first, then a number) for pendingPolls polls, then Ready with result.sample', async () => {
    fake = await startFakeBfl({ pendingPolls: 3 });
    const { seen, last } = await submitAndFinish(fake, 'flux-dev', { prompt: 'fox', seed: 7, width: 512, height: 256 });
    expect(seen.map((s) => s.status)).toEqual(['Pending', 'Pending', 'Pending', 'Ready']);
    expect(seen[0]!.progress).toBeNull();
    expect(typeof seen[1]!.progress).toBe('number');
    const result = last.result as Record<string, unknown>;
    expect(result).toMatchObject({ prompt: 'fox', seed: 7 });
    expect(typeof result.start_time).toBe('number');
    expect(new URL(result.sample as string).origin).toBe(fake.pollingHost);
    expect(fake.stats).toMatchObject({ submits: 1, polls: 4, maxInFlight: 1 });
    expect(fake.stats.inFlight).toBe(0);
  });

  it('serves result.sample as a real image of the requested size and format, without x-key', async () => {
    fake = await startFakeBfl({ pendingPolls: 0 });
    const cases = [
      { model: 'flux-pro-1.1', body: { prompt: 'p', width: 256, height: 320, output_format: 'png' }, format: 'png', w: 256, h: 320 },
      { model: 'flux-pro-1.1', body: { prompt: 'p' }, format: 'jpeg', w: 1024, h: 768 }, // documented defaults
      { model: 'flux-kontext-pro', body: { prompt: 'p', aspect_ratio: '1:1' }, format: 'png', w: 1024, h: 1024 }, // kontext defaults to png
      { model: 'flux-pro-1.1-ultra', body: { prompt: 'p', aspect_ratio: '16:9', output_format: 'webp' }, format: 'webp' },
    ] as const;
    for (const c of cases) {
      const { last } = await submitAndFinish(fake, c.model, c.body);
      const res = await fetch((last.result as { sample: string }).sample);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(`image/${c.format}`);
      const img = Buffer.from(await res.arrayBuffer());
      const p = probe(img);
      expect(p.format).toBe(c.format);
      if ('w' in c) expect([p.width, p.height]).toEqual([c.w, c.h]);
      else expect(p.width * p.height).toBeGreaterThan(3_500_000); // ultra: ~4 MP at 16:9
      if (c.format === 'png') expect(checkPng(img).text.prompt).toBe('p');
    }
    expect(fake.stats.downloads).toBe(4);
  });

  it('expires the sample URL after its window (404) and refuses a tampered signature (403)', async () => {
    let clock = 1_000_000;
    fake = await startFakeBfl({ pendingPolls: 0, sampleTtlMs: 600_000, now: () => clock });
    const { last } = await submitAndFinish(fake, 'flux-pro-1.1', { prompt: 'x' });
    const sample = (last.result as { sample: string }).sample;
    const tampered = new URL(sample);
    tampered.searchParams.set('se', new Date(clock + 3_600_000).toISOString());
    expect((await fetch(tampered)).status).toBe(403);
    clock += 599_000;
    expect((await fetch(sample)).status).toBe(200);
    clock += 2_000;
    expect((await fetch(sample)).status).toBe(404);
    expect((await poll(fake, `${fake.pollingHost}/v1/get_result?id=${last.id as string}`)).json.status).toBe('Ready'); // the task itself stays Ready
  });

  it('answers "Task not found" when the polling URL is rebuilt on the submit host, or for an unknown id', async () => {
    fake = await startFakeBfl({ pendingPolls: 0 });
    const r = await submit(fake, 'flux-pro-1.1', { prompt: 'x' });
    const rebuilt = `${fake.url}/v1/get_result?id=${r.json.id as string}`;
    expect((await poll(fake, rebuilt)).json).toMatchObject({ id: r.json.id, status: 'Task not found', result: null });
    expect((await poll(fake, `${fake.pollingHost}/v1/get_result?id=nope`)).json.status).toBe('Task not found');
    expect((await poll(fake, r.json.polling_url as string)).json.status).toBe('Ready');
  });

  it('can send "Task not found" with HTTP 404 instead of 200', async () => {
    fake = await startFakeBfl({ taskNotFoundHttpStatus: 404 });
    const res = await poll(fake, `${fake.pollingHost}/v1/get_result?id=unknown`);
    expect(res.status).toBe(404);
    expect(res.json.status).toBe('Task not found');
  });

  it.each([
    ['request', 'Request Moderated'],
    ['content', 'Content Moderated'],
  ] as const)('moderation fault %s ends the next task "%s" (terminal), then clears', async (kind, status) => {
    fake = await startFakeBfl({ pendingPolls: 1 });
    fake.faults.moderation = kind;
    const first = await submitAndFinish(fake, 'flux-kontext-pro', { prompt: 'x' });
    expect(first.last).toMatchObject({ status, result: null });
    expect(first.last.details).toBeTruthy();
    expect((await poll(fake, first.pollingUrl)).json.status).toBe(status); // stays terminal
    expect((await submitAndFinish(fake, 'flux-kontext-pro', { prompt: 'x' })).last.status).toBe('Ready');
    expect(fake.stats.inFlight).toBe(0);
  });

  it('error fault ends the next task with status "Error"', async () => {
    fake = await startFakeBfl({ pendingPolls: 0 });
    fake.faults.error = true;
    expect((await submitAndFinish(fake, 'flux-pro-1.1', { prompt: 'x' })).last.status).toBe('Error');
    expect((await submitAndFinish(fake, 'flux-pro-1.1', { prompt: 'x' })).last.status).toBe('Ready');
  });

  it('poll5xx answers one 503 on get_result; the next poll works', async () => {
    fake = await startFakeBfl({ pendingPolls: 0 });
    const r = await submit(fake, 'flux-pro-1.1', { prompt: 'x' });
    fake.faults.poll5xx = true;
    expect((await poll(fake, r.json.polling_url as string)).status).toBe(503);
    expect((await pollToEnd(fake, r.json.polling_url as string)).at(-1)!.status).toBe('Ready');
  });

  it('finishes a task that is never polled after maxPendingMs, freeing its slot', async () => {
    let clock = 0;
    fake = await startFakeBfl({ pendingPolls: 100, maxPendingMs: 5_000, now: () => clock });
    const r = await submit(fake, 'flux-pro-1.1', { prompt: 'x' });
    expect(fake.stats.inFlight).toBe(1);
    clock = 5_000;
    expect(fake.stats.inFlight).toBe(0);
    expect((await poll(fake, r.json.polling_url as string)).json.status).toBe('Ready');
  });
});
