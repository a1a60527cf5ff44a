import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createHash } from 'node:crypto';
import { appendFile, mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { Redis } from 'ioredis';
import { redisKeys, type BackendModels, type Config } from '@orchestrator/shared';
import { BackendRegistry } from '../backends/backend-registry.js';
import { backendRecord, cleanup, newRedis, testConfig } from '../testing/harness.js';
import { LAYOUTS, safetensorsBytes, writeModel } from '../testing/safetensors-files.js';
import { ModelCatalog } from './model-catalog.js';

let redis: Redis;
let config: Config;
let tmp: string;
let root: string;
const log = pino({ level: 'silent' });
const BACKEND_URL = 'http://127.0.0.1:1';
const open: ModelCatalog[] = [];

function catalog(over: { backgroundHash?: boolean } = {}): ModelCatalog {
  const backends = new BackendRegistry(redis, config.keyPrefix, [BACKEND_URL], 0);
  const c = new ModelCatalog({ modelsPath: root, redis, keyPrefix: config.keyPrefix, backends, log, ...over });
  open.push(c);
  return c;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  ({ config, outputPath: tmp } = await testConfig('model-catalog'));
  root = await mkdtemp(path.join(tmpdir(), 'orch-catalog-'));
  redis = newRedis();
});

afterAll(async () => {
  for (const c of open) await c.close();
  await cleanup(redis, config, tmp);
  await rm(root, { recursive: true, force: true });
  redis.disconnect();
});

describe('ModelCatalog', () => {
  const sdxl = safetensorsBytes(LAYOUTS.sdxl, undefined, 4096);
  const lora = safetensorsBytes(LAYOUTS.sdxlLora, { 'modelspec.trigger_phrase': 'inkwash' });

  it('hashes files in the background, caches by path+size+mtime, and does not rehash after a restart', async () => {
    const file = await writeModel(root, 'checkpoints/base.safetensors', sdxl);
    await writeModel(root, 'loras/ink.safetensors', lora);
    const first = catalog();
    const page = await first.list({ limit: 10 });
    expect(page.items.map((m) => m.id)).toEqual(['checkpoints/base.safetensors', 'loras/ink.safetensors']);
    await first.hasher.idle();
    expect(first.hasher.computed).toBe(2);
    const details = await first.details('checkpoints/base.safetensors');
    expect(details).toMatchObject({ hash: sha256(sdxl), shortHash: sha256(sdxl).slice(0, 10), hashStatus: 'done' });
    const cached = await redis.hget(redisKeys(config.keyPrefix).modelHashes, file);
    expect(JSON.parse(cached ?? '{}')).toMatchObject({ sha256: sha256(sdxl), size: sdxl.length });

    const restarted = catalog();
    expect((await restarted.list({ limit: 10 })).items[0]).toMatchObject({ hash: sha256(sdxl) });
    await restarted.hasher.idle();
    expect(restarted.hasher.computed).toBe(0);

    // A changed file (size and mtime) is hashed again.
    await appendFile(file, Buffer.alloc(8));
    await restarted.refresh();
    await restarted.hasher.idle();
    expect(restarted.hasher.computed).toBe(1);
    const grown = Buffer.concat([sdxl, Buffer.alloc(8)]);
    expect((await restarted.details('checkpoints/base.safetensors'))?.hash).toBe(sha256(grown));
  });

  it('hashes only on request when background hashing is off, ahead of everything else', async () => {
    await redis.del(redisKeys(config.keyPrefix).modelHashes);
    const c = catalog({ backgroundHash: false });
    await c.list({ limit: 10 });
    expect((await c.details('loras/ink.safetensors'))?.hashStatus).toBe('none');
    expect((await c.details('loras/ink.safetensors', { hash: true }))?.hashStatus).toMatch(/queued|hashing|done/);
    await c.hasher.idle();
    expect(await c.details('loras/ink.safetensors')).toMatchObject({ hashStatus: 'done', hash: sha256(lora) });
    expect(c.hasher.computed).toBe(1);
  });

  it('re-reads the header only of files whose size or mtime changed', async () => {
    const file = await writeModel(root, 'checkpoints/same.safetensors', safetensorsBytes(LAYOUTS.sd15));
    const c = catalog({ backgroundHash: false });
    onTestFinished(() => rm(file));
    expect((await c.details('checkpoints/same.safetensors'))?.family).toBe('sd15');
    // Same size and mtime, different bytes: a stat-based rescan must keep the old record.
    const before = await stat(file);
    const bytes = safetensorsBytes(LAYOUTS.sd15);
    bytes.write('{"x":1}', 8, 'utf8');
    await writeFile(file, bytes);
    await utimes(file, before.atimeMs / 1000, before.mtimeMs / 1000);
    await c.refresh();
    expect((await c.details('checkpoints/same.safetensors'))?.family).toBe('sd15');
    // A new mtime makes it read the (now broken) header again.
    await utimes(file, before.atimeMs / 1000, before.mtimeMs / 1000 + 5);
    await c.refresh();
    expect((await c.details('checkpoints/same.safetensors'))?.family).toBe('unknown');
  });

  it('merges the checkpoints the backends report; one only a backend has still appears, with a family from its name', async () => {
    await redis.set(
      redisKeys(config.keyPrefix).backend('comfyui-1'),
      JSON.stringify(backendRecord({ id: 'comfyui-1', url: BACKEND_URL, checkpoints: ['base.safetensors', 'SDXL\\remote.safetensors'] })),
    );
    const c = catalog({ backgroundHash: false });
    const { items, total } = await c.list({ folder: 'checkpoints', limit: 10 });
    expect(total).toBe(2);
    expect(items.map((m) => [m.id, m.backends, m.local, m.family, m.familySource])).toEqual([
      ['checkpoints/base.safetensors', ['comfyui-1'], true, 'sdxl', 'header'],
      ['checkpoints/SDXL/remote.safetensors', ['comfyui-1'], false, 'sdxl', 'name'],
    ]);
    expect(items[1]?.size).toBeUndefined();
    // The earlier API's bare file name still finds it.
    expect((await c.details('base.safetensors'))?.id).toBe('checkpoints/base.safetensors');
  });

  it('lists the backends of a file in any folder from their per-folder lists; one only a backend has appears in its folder', async () => {
    const keys = redisKeys(config.keyPrefix);
    const models: BackendModels = {
      id: 'comfyui-1',
      url: BACKEND_URL,
      checkedAt: new Date().toISOString(),
      folders: {
        loras: ['ink.safetensors', 'style/remote_lora.safetensors'],
        diffusion_models: ['flux1-dev.safetensors', 'mystery.safetensors'],
        vae: ['ae.safetensors'],
        video: ['not-a-comfyui-key.safetensors'],
      },
      separator: '/',
      hash: 'h1',
    };
    await redis.set(keys.backendModels('comfyui-1'), JSON.stringify(models));
    onTestFinished(async () => {
      await redis.del(keys.backendModels('comfyui-1'));
    });
    const mystery = await writeModel(root, 'diffusion_models/mystery.safetensors', safetensorsBytes(LAYOUTS.fluxDev));
    onTestFinished(() => rm(mystery));
    const c = catalog({ backgroundHash: false });
    const byId = new Map((await c.list({ limit: 50 })).items.map((m) => [m.id, m]));
    expect(byId.get('loras/ink.safetensors')).toMatchObject({ backends: ['comfyui-1'], local: true, family: 'sdxl' });
    expect(byId.get('loras/style/remote_lora.safetensors')).toMatchObject({ backends: ['comfyui-1'], local: false, file: 'style/remote_lora.safetensors' });
    expect(byId.get('diffusion_models/flux1-dev.safetensors')).toMatchObject({ backends: ['comfyui-1'], local: false, family: 'flux', familySource: 'name' });
    expect(byId.get('vae/ae.safetensors')?.backends).toEqual(['comfyui-1']);
    // The catalogue's own `video` folder is not a ComfyUI key: a backend cannot report into it.
    expect([...byId.keys()].some((id) => id.includes('not-a-comfyui-key'))).toBe(false);
    // A file with no hint in its name gets the family its header shows (what the job resolver fills in).
    expect(await c.lookup('mystery.safetensors', ['checkpoints', 'diffusion_models'])).toMatchObject({
      id: 'diffusion_models/mystery.safetensors', family: 'flux', familySource: 'header', backends: ['comfyui-1'],
    });
    expect(await c.lookup('flux1-dev.safetensors', ['checkpoints'])).toBeNull();
  });
});
