/*
 * Thumbnails per second: 1,000 real 1024×1024 PNGs (eight distinct images, each under 125 names as
 * hard links, so every name is its own thumbnail to make), each requested once through
 * GET /api/assets/:id/thumb with a cold cache, from 8 concurrent connections (about what a browser
 * opens), against the server running as its own process (server/dist/main.js). A second pass over
 * the same URLs shows the cached rate.
 */
import { link, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import { Agent, request } from 'undici';
import { AssetStore, assetIdForPath, assetUrls, type Asset } from '@orchestrator/shared';
import { REDIS_URL, dropPrefix, uniquePrefix } from '../harness/stack.js';
import { SERVER_MAIN, freePort, startService, waitHttp } from './services.js';
import { report, throughput } from './stats.js';

const FILES = 1000;
const SOURCES = 8;
const CONCURRENCY = 8;

/** A 1024² PNG about as heavy as a diffusion output (~2 MB): gradients, shapes and fine grain. */
async function sourceImage(i: number): Promise<Buffer> {
  const hue = (i * 45) % 360;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="1024"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">` +
    `<stop offset="0" stop-color="hsl(${hue},60%,20%)"/><stop offset="1" stop-color="hsl(${(hue + 120) % 360},70%,65%)"/></linearGradient></defs>` +
    `<rect width="1024" height="1024" fill="url(#g)"/><circle cx="${300 + i * 40}" cy="500" r="260" fill="hsl(${(hue + 200) % 360},80%,55%)" opacity="0.7"/></svg>`;
  const grain = await sharp({ create: { width: 1024, height: 1024, channels: 3, background: 'gray', noise: { type: 'gaussian', mean: 128, sigma: 12 } } })
    .blur(1.5)
    .png()
    .toBuffer();
  return sharp(Buffer.from(svg)).composite([{ input: grain, blend: 'overlay' }]).removeAlpha().png({ compressionLevel: 4 }).toBuffer();
}

export async function benchThumbnails(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'orch-bench-thumbs-'));
  const outputPath = path.join(dir, 'output');
  const prefix = uniquePrefix('bench-thumbs');
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  const dispatcher = new Agent({ connections: CONCURRENCY, pipelining: 1 });
  let server: ReturnType<typeof startService> | undefined;
  try {
    await mkdir(path.join(outputPath, 'gen'), { recursive: true });
    for (let s = 0; s < SOURCES; s++) await sharp(await sourceImage(s)).toFile(path.join(dir, `source-${s}.png`));
    const store = new AssetStore(redis, prefix);
    const ids: string[] = [];
    for (let i = 0; i < FILES; i++) {
      const relPath = `gen/${String(i).padStart(4, '0')}.png`;
      await link(path.join(dir, `source-${i % SOURCES}.png`), path.join(outputPath, relPath));
      const id = assetIdForPath(relPath);
      const asset: Asset = { id, type: 'image', fileName: path.basename(relPath), relPath, size: 0, mimeType: 'image/png', createdAt: new Date(Date.now() - i).toISOString(), ...assetUrls(id), meta: {} };
      await store.put(asset);
      ids.push(id);
    }
    const port = await freePort();
    const env = { REDIS_URL, HOST: '127.0.0.1', PORT: String(port), DATA_PATH: dir, OUTPUT_PATH: outputPath, KEY_PREFIX: prefix, LOG_LEVEL: 'warn' };
    server = startService('server', SERVER_MAIN, env, dir);
    const url = `http://127.0.0.1:${port}`;
    await waitHttp(`${url}/api/health`);
    const kinds = new Map<string, number>();
    const get = async (i: number) => {
      const res = await request(`${url}/api/assets/${ids[i]}/thumb`, { dispatcher });
      await res.body.dump();
      if (res.statusCode !== 200) throw new Error(`GET thumb answered ${res.statusCode}`);
      const kind = String(res.headers['x-thumbnail']);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    };
    const cold = await throughput(FILES, CONCURRENCY, get);
    if (kinds.get('made') !== FILES) throw new Error(`expected ${FILES} thumbnails made, got ${JSON.stringify([...kinds])}`);
    const warm = await throughput(FILES, CONCURRENCY, get);
    report('thumbnails, 1024² PNG → 384 px WebP (cold cache)', `${cold.toFixed(0)}/s`, '≥ 150/s', cold >= 150, `cached: ${warm.toFixed(0)}/s`);
  } finally {
    await server?.stop();
    await dispatcher.close();
    await dropPrefix(redis, prefix);
    redis.disconnect();
    await rm(dir, { recursive: true, force: true });
  }
}
