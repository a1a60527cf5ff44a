// Error surface of the fake BFL API: x-key auth, FastAPI-style 422s, 402, 429 (with and without Retry-After,
// and the documented concurrency limits), a billed 5xx on submit, unknown routes.
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeBfl, startFakeBfl } from './index.js';
import { poll, pollToEnd, submit } from './testkit.js';

let fake: FakeBfl | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('fake BFL: auth', () => {
  it('answers 401 without x-key and 403 with a wrong key, on submit, get_result and credits', async () => {
    fake = await startFakeBfl();
    expect(await submit(fake, 'flux-dev', { prompt: 'x' }, null)).toMatchObject({ status: 401, json: { detail: 'Not authenticated' } });
    expect(await submit(fake, 'flux-dev', { prompt: 'x' }, 'bfl_wrong')).toMatchObject({
      status: 403,
      json: { detail: 'Not authenticated - Invalid Authentication' },
    });
    const ok = await submit(fake, 'flux-dev', { prompt: 'x' });
    expect((await poll(fake, ok.json.polling_url as string, null)).status).toBe(401);
    expect((await poll(fake, ok.json.polling_url as string, 'bfl_wrong')).status).toBe(403);
    expect((await fetch(`${fake.url}/v1/credits`, { headers: { 'x-key': 'bfl_wrong' } })).status).toBe(403);
    expect(fake.stats.submits).toBe(1);
  });
});

describe('fake BFL: validation (HTTPValidationError)', () => {
  const cases: [string, unknown, (string | number)[], string][] = [
    ['flux-kontext-max', { input_image: 'aGk=' }, ['body', 'prompt'], 'missing'],
    ['flux-pro-1.1', { prompt: 'x', width: 1000 }, ['body', 'width'], 'multiple_of'],
    ['flux-pro-1.1', { prompt: 'x', height: 1472 }, ['body', 'height'], 'less_than_equal'],
    ['flux-dev', { prompt: 'x', steps: 51 }, ['body', 'steps'], 'less_than_equal'],
    ['flux-dev', { prompt: 'x', guidance: 1 }, ['body', 'guidance'], 'greater_than_equal'],
    ['flux-dev', { prompt: null }, ['body', 'prompt'], 'string_type'],
    ['flux-pro-1.1-ultra', { prompt: 'x', aspect_ratio: '32:9' }, ['body', 'aspect_ratio'], 'value_error'],
    ['flux-pro-1.1-ultra', { prompt: 'x', aspect_ratio: 'wide' }, ['body', 'aspect_ratio'], 'value_error'],
    ['flux-pro-1.1-ultra', { prompt: 'x', image_prompt_strength: 2 }, ['body', 'image_prompt_strength'], 'less_than_equal'],
    ['flux-pro-1.1-ultra', { raw: 'yes' }, ['body', 'raw'], 'bool_type'],
    ['flux-kontext-pro', { prompt: 'x', safety_tolerance: 7 }, ['body', 'safety_tolerance'], 'less_than_equal'],
    ['flux-kontext-pro', { prompt: 'x', output_format: 'gif' }, ['body', 'output_format'], 'enum'],
    ['flux-kontext-pro', { prompt: 'x', seed: 1.5 }, ['body', 'seed'], 'int_from_float'],
    ['flux-kontext-pro', { prompt: 'x', webhook_url: 'not a url' }, ['body', 'webhook_url'], 'url_parsing'],
    ['flux-pro-1.1', [1, 2], ['body'], 'model_attributes_type'],
  ];
  it.each(cases)('%s %j → 422 at %j (%s)', async (model, body, loc, type) => {
    fake = await startFakeBfl();
    const r = await submit(fake, model, body);
    expect(r.status).toBe(422);
    const detail = r.json.detail as { loc: unknown[]; msg: string; type: string }[];
    expect(detail).toContainEqual(expect.objectContaining({ loc, type, msg: expect.any(String) }));
  });

  it('reports invalid JSON, a missing body and a missing ?id= the FastAPI way', async () => {
    fake = await startFakeBfl();
    expect((await submit(fake, 'flux-dev', '{nope')).json.detail).toEqual([expect.objectContaining({ type: 'json_invalid' })]);
    expect((await submit(fake, 'flux-dev', '')).json.detail).toEqual([expect.objectContaining({ loc: ['body'], type: 'missing' })]);
    const r = await poll(fake, `${fake.pollingHost}/v1/get_result`);
    expect(r).toMatchObject({ status: 422, json: { detail: [{ loc: ['query', 'id'], msg: 'Field required', type: 'missing' }] } });
  });

  it('ignores unknown fields and accepts an empty ultra body (no field is required)', async () => {
    fake = await startFakeBfl();
    expect((await submit(fake, 'flux-pro-1.1-ultra', { whatever: 1 })).status).toBe(200);
  });
});

describe('fake BFL: credits, limits and server errors', () => {
  it('charges the cost on submit, reports it on /v1/credits, and answers 402 once the balance is too low', async () => {
    fake = await startFakeBfl({ credits: 10 });
    const credits = async (): Promise<unknown> => (await (await fetch(`${fake!.url}/v1/credits`, { headers: { 'x-key': fake!.apiKey } })).json());
    expect(await credits()).toEqual({ credits: 10 });
    expect((await submit(fake, 'flux-kontext-max', { prompt: 'x' })).json.cost).toBe(8);
    expect(await credits()).toEqual({ credits: 2 });
    const r = await submit(fake, 'flux-pro-1.1', { prompt: 'x' });
    expect(r.status).toBe(402);
    expect(typeof r.json.detail).toBe('string');
    expect((await submit(fake, 'flux-dev', { prompt: 'x' })).status).toBe(402); // 2.5 > 2 left
    fake.account.credits += 1;
    expect((await submit(fake, 'flux-dev', { prompt: 'x' })).status).toBe(200);
  });

  it('status402 fault answers one 402 and then clears', async () => {
    fake = await startFakeBfl();
    fake.faults.status402 = true;
    expect((await submit(fake, 'flux-dev', { prompt: 'x' })).status).toBe(402);
    expect((await submit(fake, 'flux-dev', { prompt: 'x' })).status).toBe(200);
  });

  it('status429 fault answers 429 with Retry-After when retryAfterSec is given, and without it otherwise', async () => {
    fake = await startFakeBfl();
    fake.faults.status429 = { retryAfterSec: 3 };
    const a = await submit(fake, 'flux-dev', { prompt: 'x' });
    expect([a.status, a.headers.get('retry-after')]).toEqual([429, '3']);
    fake.faults.status429 = {};
    const b = await submit(fake, 'flux-dev', { prompt: 'x' });
    expect([b.status, b.headers.get('retry-after')]).toEqual([429, null]);
    expect((await submit(fake, 'flux-dev', { prompt: 'x' })).status).toBe(200);
    expect(fake.stats.submits).toBe(1); // rejected submits create no task
  });

  it('limits flux-kontext-max to 6 active tasks (429, no Retry-After) while other models still run; a finished task frees a slot', async () => {
    fake = await startFakeBfl({ pendingPolls: 1 });
    const urls: string[] = [];
    for (let i = 0; i < 6; i++) urls.push((await submit(fake, 'flux-kontext-max', { prompt: `${i}` })).json.polling_url as string);
    const rejected = await submit(fake, 'flux-kontext-max', { prompt: 'seventh' });
    expect(rejected.status).toBe(429);
    expect(rejected.headers.get('retry-after')).toBeNull();
    expect(typeof rejected.json.detail).toBe('string');
    expect((await submit(fake, 'flux-kontext-pro', { prompt: 'other model' })).status).toBe(200);
    await pollToEnd(fake, urls[0]!);
    expect((await submit(fake, 'flux-kontext-max', { prompt: 'now fits' })).status).toBe(200);
    expect(fake.stats.maxInFlight).toBe(7);
  });

  it('limits the account to 24 active tasks across models', async () => {
    fake = await startFakeBfl();
    const models = ['flux-dev', 'flux-pro-1.1', 'flux-pro-1.1-ultra', 'flux-kontext-pro'];
    for (let i = 0; i < 24; i++) expect((await submit(fake, models[i % 4]!, { prompt: 'x' })).status).toBe(200);
    expect(fake.stats.inFlight).toBe(24);
    expect((await submit(fake, 'flux-dev', { prompt: 'x' })).status).toBe(429);
    expect(fake.stats.maxInFlight).toBe(24);
  });

  it('submit5xx answers 500 after the task was created and billed (so a client must not replay the POST)', async () => {
    fake = await startFakeBfl({ credits: 100 });
    fake.faults.submit5xx = true;
    const r = await submit(fake, 'flux-pro-1.1', { prompt: 'x' });
    expect(r.status).toBe(500);
    expect(r.json.id).toBeUndefined();
    expect(fake.account.credits).toBe(96);
    expect(fake.stats.inFlight).toBe(1);
    fake.faults.submit5xx = 502;
    expect((await submit(fake, 'flux-pro-1.1', { prompt: 'x' })).status).toBe(502);
    expect((await submit(fake, 'flux-pro-1.1', { prompt: 'x' })).status).toBe(200);
  });

  it('answers 404 for unknown routes and models, 405 for a wrong method', async () => {
    fake = await startFakeBfl();
    expect((await submit(fake, 'flux-pro', { prompt: 'x' })).status).toBe(404);
    const res = await fetch(`${fake.url}/v1/flux-dev`, { headers: { 'x-key': fake.apiKey } });
    expect(res.status).toBe(405);
    expect(await res.json()).toEqual({ detail: 'Method Not Allowed' });
  });
});
