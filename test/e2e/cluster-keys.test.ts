import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import type { Asset, ChatThread, Job, PostMessageResult } from '@orchestrator/shared';
import { capturingLogger } from '../../worker/src/testing/flux.js';
import { startStack, waitFor, type Stack } from '../harness/stack.js';
import { HAS_REDIS_SERVER, startClusterRedis, type ClusterRedis } from '../harness/cluster-redis.js';
import { startFakeBfl, type FakeBfl } from '../fakes/bfl/index.js';

/*
 * With KEY_PREFIX in braces ({…}, a hash tag), every key of the deployment is in one Redis Cluster slot:
 * the whole product runs against a cluster-mode Redis (which refuses any command or script whose keys
 * span slots; that scripts declare every key is test/contracts/lua-scripts.test.ts's audit) through jobs, scheduling (agent off, priority, move to front, cancel), FLUX (the BFL
 * semaphore), the chat, the gallery's queries and the trash; then every key in that Redis carries the tag.
 */

const TAG = `{test-cluster-${randomBytes(4).toString('hex')}}`;
let cluster: ClusterRedis;
let bfl: FakeBfl;
let stack: Stack;
let redis: Redis;
const serverLogs: string[] = [];
const worker = capturingLogger();

beforeAll(async () => {
  if (!HAS_REDIS_SERVER) return;
  cluster = await startClusterRedis();
  bfl = await startFakeBfl({ pendingPolls: 1 });
  stack = await startStack('cluster', {
    comfy: { stepMs: 10 },
    env: { REDIS_URL: cluster.url, KEY_PREFIX: TAG, BFL_API_URL: bfl.url, BFL_API_KEY: bfl.apiKey },
    serverLogger: {
      level: 'warn',
      stream: new Writable({
        write(chunk: Buffer, _enc, done) {
          serverLogs.push(chunk.toString());
          done();
        },
      }),
    },
    workerLogger: worker.logger,
  });
  redis = new Redis(cluster.url, { maxRetriesPerRequest: 2 });
  await waitFor(async () => ((await (await fetch(`${stack.url}/api/backends`)).json()) as { online: boolean }[])[0]?.online, 15000, 'backend online');
}, 60_000);

afterAll(async () => {
  redis?.disconnect();
  await stack?.close();
  await bfl?.close();
  await cluster?.close();
}, 60_000);

async function api<T>(path: string, method = 'GET', body?: object): Promise<T> {
  const res = await fetch(`${stack.url}${path}`, {
    method,
    ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  expect(res.status, `${method} ${path}: ${text}`).toBeLessThan(300);
  return JSON.parse(text) as T;
}

const submit = async (request: object) => (await api<{ id: string }>('/api/jobs', 'POST', request)).id;
const comfy = (prompt: string, seed: number) => ({ provider: 'comfyui', kind: 'image', prompt, params: { seed, steps: 4, width: 512, height: 512 } });
const finished = (id: string) =>
  waitFor(async () => {
    const j = await api<Job>(`/api/jobs/${id}`);
    return j.status === 'completed' || j.status === 'failed' || j.status === 'cancelled' ? j : null;
  }, 30000, `job ${id} to end`);

describe.skipIf(!HAS_REDIS_SERVER)('a hash-tagged KEY_PREFIX on a cluster-mode Redis', () => {
  it('the cluster-mode Redis refuses keys of two slots (so this test would see any)', async () => {
    await expect(redis.eval("return redis.call('GET', KEYS[1])", 2, 'a', 'b')).rejects.toThrow(/CROSSSLOT/);
    await expect(redis.mget('a', 'b')).rejects.toThrow(/CROSSSLOT/);
  });

  it('runs jobs through scheduling, FLUX, the chat, the gallery and the trash', async () => {
    // Scheduling: the backend off, three jobs wait; one is re-ranked, one moved to the front, one cancelled.
    await api('/api/agents/comfyui-1/off', 'POST');
    const ids = [await submit(comfy('a lighthouse at dusk', 1)), await submit(comfy('a red fox in the snow', 2)), await submit(comfy('a quiet harbour', 3))];
    await api(`/api/jobs/${ids[1]}`, 'PATCH', { priority: 'high' });
    await api(`/api/jobs/${ids[2]}/move-to-front`, 'POST');
    await api(`/api/jobs/${ids[0]}`, 'DELETE');
    await api('/api/agents/comfyui-1/on', 'POST');
    expect((await finished(ids[1]!)).status).toBe('completed');
    expect((await finished(ids[2]!)).status).toBe('completed');
    expect((await api<Job>(`/api/jobs/${ids[0]}`)).status).toBe('cancelled');

    // FLUX: the BFL semaphore's pools.
    const flux = await finished(await submit({ provider: 'flux', kind: 'image', prompt: 'a red fox', params: { outputFormat: 'png' } }));
    expect(flux.status).toBe('completed');

    // The chat: messages appended and jobs numbered by their scripts.
    const thread = await api<ChatThread>('/api/chat/threads', 'POST', {});
    const said = await api<PostMessageResult>(`/api/chat/threads/${thread.id}/messages`, 'POST', { text: '/apex-comfy sdxl a lighthouse at dawn --steps 4 --size 512x512 --seed 7' });
    const card = said.messages[1]?.card;
    const chatJob = card?.type === 'jobs' ? card.jobs[0] : undefined;
    expect(chatJob).toBeDefined();
    expect((await finished(chatJob!.id)).status).toBe('completed');

    // The gallery: the plain order, a filter, a search, the name order, then the trash's page.
    await waitFor(async () => (await api<{ items: Asset[] }>('/api/assets')).items.length >= 4, 15000, 'four assets in the gallery');
    for (const q of ['/api/assets?limit=2', '/api/assets?type=image', '/api/assets?q=fox', '/api/assets?q=lig', '/api/assets?sort=name&type=image', '/api/assets?sort=size&q=fox']) {
      expect((await api<{ items: Asset[] }>(q)).items.length, q).toBeGreaterThan(0);
    }
    const fox = (await api<{ items: Asset[] }>('/api/assets?q=fox')).items[0]!;
    await api('/api/assets/delete', 'POST', { ids: [fox.id] });
    expect((await api<{ total: number; items: { id: string }[] }>('/api/assets/trash')).items.map((i) => i.id)).toContain(fox.id);

    const crossSlot = [...serverLogs, ...worker.lines].filter((l) => /CROSSSLOT|same slot|non local key/.test(l));
    expect(crossSlot).toEqual([]);
  });

  it('every key the product created carries the hash tag, so all of them share one slot', async () => {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    expect(keys.length).toBeGreaterThan(20);
    // The product's own keys and BullMQ's both.
    expect(keys.some((k) => k.startsWith(`${TAG}:bull:`))).toBe(true);
    expect(keys.some((k) => k.startsWith(`${TAG}:sched:`))).toBe(true);
    expect(keys.some((k) => k.startsWith(`${TAG}:gallery:`))).toBe(true);
    expect(keys.some((k) => k.startsWith(`${TAG}:chat:`))).toBe(true);
    expect(keys.filter((k) => !k.startsWith(`${TAG}:`))).toEqual([]);
    const slots = new Set(await Promise.all(keys.slice(0, 200).map((k) => redis.call('CLUSTER', 'KEYSLOT', k))));
    expect(slots.size).toBe(1);
  });
});
