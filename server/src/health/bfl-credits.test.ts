import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBfl, type FakeBfl } from '../../../test/fakes/bfl/index.js';
import { BflCredits } from './bfl-credits.js';

let bfl: FakeBfl;

beforeAll(async () => {
  bfl = await startFakeBfl({ credits: 500 });
});

afterAll(async () => {
  await bfl.close();
});

describe('BflCredits', () => {
  it('reads GET /v1/credits with the key and caches the balance for its ttl', async () => {
    const credits = new BflCredits({ baseUrl: bfl.url, apiKey: bfl.apiKey });
    expect(await credits.read()).toEqual({ credits: 500 });
    bfl.account.credits = 400;
    expect(await credits.read()).toEqual({ credits: 500 });
    expect(await credits.read(Date.now() + 61_000)).toEqual({ credits: 400 });
  });

  it('shares one request between concurrent callers', async () => {
    const credits = new BflCredits({ baseUrl: bfl.url, apiKey: bfl.apiKey });
    const [a, b] = [credits.read(), credits.read()];
    expect(a).toBe(b);
    await a;
  });

  it('reports a wrong key and an unreachable host as an error string without the key', async () => {
    const wrong = await new BflCredits({ baseUrl: bfl.url, apiKey: 'bfl_wrong_key_123' }).read();
    expect(wrong).toEqual({ creditsError: 'the FLUX API key is invalid (BFL answered 403)' });
    const down = await new BflCredits({ baseUrl: 'http://127.0.0.1:59999', apiKey: 'k' }).read();
    expect(down).toEqual({ creditsError: 'BFL could not be reached (ECONNREFUSED)' });
    expect(JSON.stringify([wrong, down])).not.toContain('bfl_wrong_key_123');
  });
});
