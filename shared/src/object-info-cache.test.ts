import { describe, expect, it } from 'vitest';
import { ObjectInfoCache, type ObjectInfo } from './object-info-cache.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fetch that counts its calls and answers what `answers` says, in turn (the last one from then on). */
function fetcher(...answers: Array<ObjectInfo | null>) {
  const calls: string[] = [];
  const fetchInfo = async (url: string) => {
    calls.push(url);
    await sleep(5);
    return answers[Math.min(calls.length - 1, answers.length - 1)] ?? null;
  };
  return { calls, fetchInfo };
}

describe('ObjectInfoCache', () => {
  it('fetches once for callers that arrive together and keeps the answer for ttlMs', async () => {
    const { calls, fetchInfo } = fetcher({ KSampler: {} }, { KSampler: {}, New: {} });
    const cache = new ObjectInfoCache(fetchInfo, { ttlMs: 80 });
    const [a, b] = await Promise.all([cache.get('b1', 'http://b1'), cache.get('b1', 'http://b1')]);
    expect(a).toEqual({ KSampler: {} });
    expect(b).toBe(a);
    expect(await cache.get('b1', 'http://b1')).toBe(a);
    expect(calls).toEqual(['http://b1']);
    expect(cache.age('b1')).toBeLessThan(80);
    expect(cache.age('other')).toBe(Infinity);
    await sleep(100);
    expect(await cache.get('b1', 'http://b1')).toEqual({ KSampler: {}, New: {} });
    expect(calls).toHaveLength(2);
  });

  it('asks again when the answer is older than maxAgeMs (0: always)', async () => {
    const { calls, fetchInfo } = fetcher({ A: {} });
    const cache = new ObjectInfoCache(fetchInfo);
    await cache.get('b1', 'http://b1');
    await cache.get('b1', 'http://b1', 60_000);
    expect(calls).toHaveLength(1);
    await cache.get('b1', 'http://b1', 0);
    expect(calls).toHaveLength(2);
  });

  it('does not keep a failure, unless failureTtlMs says for how long', async () => {
    const plain = fetcher(null, { A: {} });
    const cache = new ObjectInfoCache(plain.fetchInfo);
    expect(await cache.get('b1', 'http://b1')).toBeNull();
    expect(await cache.get('b1', 'http://b1')).toEqual({ A: {} });
    expect(plain.calls).toHaveLength(2);

    const remembered = fetcher(null, { A: {} });
    const brief = new ObjectInfoCache(remembered.fetchInfo, { ttlMs: 60_000, failureTtlMs: 60 });
    expect(await brief.get('b1', 'http://b1')).toBeNull();
    expect(await brief.get('b1', 'http://b1')).toBeNull();
    expect(remembered.calls).toHaveLength(1);
    await sleep(80);
    expect(await brief.get('b1', 'http://b1')).toEqual({ A: {} });
  });

  it('passes the caller its context: the same key may be fetched with what the caller knows', async () => {
    const seen: Array<{ url: string; token: string }> = [];
    const cache = new ObjectInfoCache<{ url: string; token: string }>(async (c) => (seen.push(c), { A: {} }));
    await cache.get('b1', { url: 'http://b1', token: 't' });
    expect(seen).toEqual([{ url: 'http://b1', token: 't' }]);
  });
});
