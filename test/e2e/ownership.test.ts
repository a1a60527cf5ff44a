import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Asset, AssetPage, DeleteResult, Job, RestoreResult } from '@orchestrator/shared';
import { startFakeBfl, type FakeBfl } from '../fakes/bfl/index.js';
import { dropPrefix, startStack, waitFor, type Stack } from '../harness/stack.js';

/*
 * Team mode: what a member's job makes is theirs — the asset records its owner (kept in the sidecar,
 * so a rebuilt index still knows), the gallery filters by owner, and only the owner or an admin may
 * trash, restore or change it. Also a saved workflow.
 */

let stack: Stack;
let bfl: FakeBfl;
const ADMIN = { username: 'root', password: 'a long admin password' };
const cookies: Record<string, string> = {};

beforeAll(async () => {
  bfl = await startFakeBfl({ pendingPolls: 1 });
  stack = await startStack('e2e-owners', {
    env: { AUTH: 'on', ADMIN_USER: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, BFL_API_URL: bfl.url, BFL_API_KEY: bfl.apiKey, RATE_LIMIT_SUBMITS: '0' },
  });
  cookies.root = await login(ADMIN.username, ADMIN.password);
  for (const name of ['alice', 'bob']) {
    const res = await as('root', '/api/users', { method: 'POST', body: { name, password: `${name} password!`, role: 'member' } });
    expect(res.status, await res.clone().text()).toBe(201);
    cookies[name] = await login(name, `${name} password!`);
  }
});

afterAll(async () => {
  await stack?.close();
  await bfl?.close();
});

async function login(username: string, password: string): Promise<string> {
  const res = await fetch(`${stack.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  expect(res.status).toBe(200);
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
}

function as(user: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
  const headers: Record<string, string> = { cookie: cookies[user]!, origin: stack.url };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${stack.url}${path}`, { method: init.method ?? 'GET', headers, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) });
}

async function json<T>(res: Promise<Response>): Promise<T> {
  return (await (await res).json()) as T;
}

async function run(user: string, body: object): Promise<Job> {
  const res = await as(user, '/api/jobs', { method: 'POST', body });
  expect(res.status, await res.clone().text()).toBe(202);
  const { id } = (await res.json()) as { id: string };
  const job = await waitFor(async () => {
    const j = await json<Job>(as(user, `/api/jobs/${id}`));
    return j.status === 'completed' || j.status === 'failed' ? j : null;
  }, 30_000, `job ${id}`);
  expect(job.status, JSON.stringify(job.error)).toBe('completed');
  return job;
}

const ids = (page: AssetPage): string[] => page.items.map((a) => a.id);

describe('owners of what jobs make (AUTH=on)', () => {
  let aliceImage = '';
  let aliceFlux = '';
  let bobImage = '';

  it("records the submitting member as the owner of a ComfyUI and a FLUX job's outputs", async () => {
    const comfy = await run('alice', { provider: 'comfyui', kind: 'image', prompt: 'a red fox', params: { steps: 2, width: 64, height: 64 } });
    aliceImage = comfy.assets![0]!.id;
    const flux = await run('alice', { provider: 'flux', kind: 'image', prompt: 'a blue fox', params: { outputFormat: 'png' } });
    aliceFlux = flux.assets![0]!.id;
    bobImage = (await run('bob', { provider: 'comfyui', kind: 'image', prompt: 'a grey wolf', params: { steps: 2, width: 64, height: 64 } })).assets![0]!.id;
    for (const [id, owner] of [
      [aliceImage, 'alice'],
      [aliceFlux, 'alice'],
      [bobImage, 'bob'],
    ] as const) {
      expect((await json<Asset>(as('bob', `/api/assets/${id}`))).owner, id).toBe(owner);
    }
  });

  it('filters the gallery by owner ("mine"), alone and with other filters', async () => {
    expect(ids(await json<AssetPage>(as('alice', '/api/assets?owner=alice'))).sort()).toEqual([aliceImage, aliceFlux].sort());
    expect(ids(await json<AssetPage>(as('alice', '/api/assets?owner=bob')))).toEqual([bobImage]);
    expect(ids(await json<AssetPage>(as('alice', '/api/assets?owner=alice&q=red')))).toEqual([aliceImage]);
    expect((await json<AssetPage>(as('alice', '/api/assets?owner=nobody'))).total).toBe(0);
    expect((await as('alice', '/api/assets?owner=..%2Fx')).status).toBe(400);
  });

  it("lets only the owner or an admin move an asset to the trash, and back", async () => {
    const refused = await as('bob', `/api/assets/${aliceImage}`, { method: 'DELETE' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: 'forbidden', message: expect.stringMatching(/alice's/) });
    const bulk = await json<DeleteResult>(as('bob', '/api/assets/delete', { method: 'POST', body: { ids: [aliceImage, bobImage] } }));
    expect(bulk).toMatchObject({ deleted: [bobImage], forbidden: [aliceImage] });
    expect((await as('alice', `/api/assets/${aliceImage}`, { method: 'DELETE' })).status).toBe(200);
    const restore = await json<RestoreResult>(as('bob', '/api/assets/restore', { method: 'POST', body: { ids: [aliceImage, bobImage] } }));
    expect(restore).toMatchObject({ restored: [bobImage], forbidden: [aliceImage] });
    expect(await json<RestoreResult>(as('root', '/api/assets/restore', { method: 'POST', body: { ids: [aliceImage] } }))).toMatchObject({ restored: [aliceImage] });
    expect((await json<Asset>(as('alice', `/api/assets/${aliceImage}`))).owner).toBe('alice');
  });

  it("lets a member delete for good and empty only their own trash", async () => {
    expect((await as('alice', `/api/assets/${aliceImage}`, { method: 'DELETE' })).status).toBe(200);
    expect((await as('bob', `/api/assets/${bobImage}`, { method: 'DELETE' })).status).toBe(200);
    expect((await as('bob', `/api/assets/trash/${aliceImage}`, { method: 'DELETE' })).status).toBe(403);
    expect(await json<{ purged: number }>(as('bob', '/api/assets/trash', { method: 'DELETE' }))).toEqual({ purged: 1 });
    const left = await json<{ items: { id: string }[] }>(as('alice', '/api/assets/trash'));
    expect(left.items.map((i) => i.id)).toEqual([aliceImage]);
    expect(await json<RestoreResult>(as('alice', '/api/assets/restore', { method: 'POST', body: { ids: [aliceImage] } }))).toMatchObject({ restored: [aliceImage] });
  });

  it('makes a regenerated job the requester’s', async () => {
    const res = await as('bob', `/api/assets/${aliceFlux}/regenerate`, { method: 'POST', body: { seed: 'random' } });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect((await json<Job>(as('bob', `/api/jobs/${id}`))).owner).toBe('bob');
  });

  it("makes an upscale of someone else's image a job of the requester, whose output is theirs", async () => {
    const res = await as('bob', `/api/assets/${aliceImage}/upscale`, { method: 'POST', body: { factor: 1.5 } });
    expect(res.status, await res.clone().text()).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const job = await waitFor(async () => {
      const j = await json<Job>(as('bob', `/api/jobs/${id}`));
      return j.status === 'completed' || j.status === 'failed' ? j : null;
    }, 30_000, `upscale ${id}`);
    expect(job).toMatchObject({ status: 'completed', owner: 'bob' });
    expect((await json<Asset>(as('bob', `/api/assets/${job.assets![0]!.id}`))).owner).toBe('bob');
    // The upscale's output is bob's: take it back out of the gallery the later tests count.
    expect((await as('bob', `/api/assets/${job.assets![0]!.id}`, { method: 'DELETE' })).status).toBe(200);
  });

  it('keeps the owners when the index is rebuilt from the files', async () => {
    await stack.restartServer(0, () => dropPrefix(stack.redis, `${stack.config.keyPrefix}:gallery:`));
    cookies.alice = await login('alice', 'alice password!');
    const mine = await waitFor(async () => {
      const page = await json<AssetPage>(as('alice', '/api/assets?owner=alice'));
      return page.total === 2 ? page : null;
    }, 20_000, 'the rescan');
    expect(ids(mine).sort()).toEqual([aliceImage, aliceFlux].sort());
  });

  it('lets everyone run a saved workflow but only its owner or an admin change it', async () => {
    const graph = {
      '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd_xl_base_1.0.safetensors' } },
      '2': { class_type: 'CLIPTextEncode', inputs: { text: 'a cat', clip: ['1', 1] } },
      '3': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
      '4': { class_type: 'KSampler', inputs: { model: ['1', 0], positive: ['2', 0], negative: ['2', 0], latent_image: ['3', 0], seed: 1, steps: 2, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1 } },
      '5': { class_type: 'VAEDecode', inputs: { samples: ['4', 0], vae: ['1', 2] } },
      '6': { class_type: 'SaveImage', inputs: { images: ['5', 0], filename_prefix: 'x' } },
    };
    const created = await as('alice', '/api/workflows', { method: 'POST', body: { name: 'Alice flow', graph, slots: [{ param: 'prompt', nodeId: '2', input: 'text' }] } });
    expect(created.status, await created.clone().text()).toBe(201);
    const wf = (await created.json()) as { id: string; owner?: string };
    expect(wf.owner).toBe('alice');
    expect((await as('bob', `/api/workflows/${wf.id}`, { method: 'PATCH', body: { name: 'Mine now' } })).status).toBe(403);
    expect((await as('bob', `/api/workflows/${wf.id}`, { method: 'DELETE' })).status).toBe(403);
    expect((await as('alice', `/api/workflows/${wf.id}`, { method: 'PATCH', body: { name: 'Alice flow 2' } })).status).toBe(200);
    expect((await as('root', `/api/workflows/${wf.id}`, { method: 'DELETE' })).status).toBe(200);
  });
});
