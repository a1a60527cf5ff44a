/*
 * The gallery at 100,000 assets (BENCH_GALLERY_FILES to change the count):
 *   (1) indexing of existing files, metadata only: the startup rescan of a fresh server process over a
 *       folder of real small files (from its own "gallery rescan done" log line: files / rescan time);
 *   (2) server-side latency of the first page (100), filtered pages and searches: app.inject against
 *       an in-process server on the same index (no network, no client in the timing), p50/p95;
 *   (3) the server process's RSS with the index built, its watcher on and some pages served.
 * Files are written to a temporary folder (removed afterwards unless BENCH_KEEP is set).
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mkdtemp } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { parseConfig } from '@orchestrator/shared';
import { buildServer } from '@orchestrator/server';
import { REDIS_URL, dropPrefix, uniquePrefix, waitFor } from '../harness/stack.js';
import { SERVER_MAIN, freePort, startService, waitHttp } from './services.js';
import { percentile, report } from './stats.js';
import { GALLERY_MODELS, writeGallery } from './gallery-files.js';

const FILTERED = [
  ...GALLERY_MODELS.slice(0, 4).map((m) => `model=${encodeURIComponent(m)}`),
  `type=image&model=${encodeURIComponent(GALLERY_MODELS[5]!)}`,
  `sort=size&model=${encodeURIComponent(GALLERY_MODELS[6]!)}`,
  'sort=name',
  'sort=size&order=asc',
  'type=image&sort=size',
  'from=DAY100&to=DAY200',
  `from=DAY50&to=DAY300&model=${encodeURIComponent(GALLERY_MODELS[1]!)}`,
];
const SEARCHES = ['lighthouse', 'fox snow', 'castle night ', 'ligh', 'drag', 'portrait woman', 'neon city rain', 'cat', 'blurry', 'juggernautxl', 'astronaut moon ', 'watercolor fo', 'ancient temple ruins', 'photo', 'ocean waves sunset', 'dreamshaper'];

function rssMb(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

async function rescanLine(log: string): Promise<{ files: number; indexed: number; ms: number } | null> {
  const text = await readFile(log, 'utf8').catch(() => '');
  const line = text.split('\n').find((l) => l.includes('gallery rescan done'));
  return line ? (JSON.parse(line) as { files: number; indexed: number; ms: number }) : null;
}

type Inject = (url: string) => Promise<{ statusCode: number; body: string }>;

/** Latencies (ms) of `rounds` passes over `urls`, each request timed on its own. */
async function timeUrls(inject: Inject, urls: string[], rounds: number): Promise<{ all: number[]; cold: number[] }> {
  const all: number[] = [];
  const cold: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const url of urls) {
      const t = performance.now();
      const res = await inject(url);
      const ms = performance.now() - t;
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      all.push(ms);
      if (r === 0) cold.push(ms);
    }
  }
  return { all: all.sort((a, b) => a - b), cold: cold.sort((a, b) => a - b) };
}

function latencyReport(name: string, target: number, t: { all: number[]; cold: number[] }): void {
  const p50 = percentile(t.all, 50);
  const p95 = percentile(t.all, 95);
  const coldMax = t.cold[t.cold.length - 1] ?? NaN;
  report(name, `p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`, `p95 ≤ ${target} ms`, p95 <= target);
  console.log(`      (${t.all.length} requests; slowest first-time request of a view ${coldMax.toFixed(1)} ms)`);
}

export async function benchGallery(): Promise<void> {
  const count = Number(process.env.BENCH_GALLERY_FILES ?? 100_000);
  const dir = await mkdtemp(path.join(tmpdir(), 'orch-gallery-'));
  const out = path.join(dir, 'output');
  await mkdir(out, { recursive: true });
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  const prefix = uniquePrefix('gallery');
  let server: ReturnType<typeof startService> | null = null;
  try {
    const t0 = performance.now();
    const kinds = writeGallery(out, count);
    console.log(`gallery: wrote ${count} files in ${((performance.now() - t0) / 1000).toFixed(1)} s (${JSON.stringify(kinds)})`);

    const port = await freePort();
    const env = { REDIS_URL, HOST: '127.0.0.1', PORT: String(port), DATA_PATH: dir, OUTPUT_PATH: out, KEY_PREFIX: prefix, LOG_LEVEL: 'info' };
    const spawned = performance.now();
    server = startService('server', SERVER_MAIN, env, dir);
    await waitHttp(`http://127.0.0.1:${port}/api/health`);
    const done = await waitFor(() => rescanLine(path.join(dir, 'server.log')), 600_000, 'gallery rescan');
    const wall = (performance.now() - spawned) / 1000;
    const rate = done.indexed / (done.ms / 1000);
    report('gallery indexing of existing files (metadata)', `${Math.round(rate)} files/s`, '≥ 2,000 files/s', rate >= 2000);
    console.log(`      (${done.indexed} files in ${(done.ms / 1000).toFixed(1)} s of rescan; ${wall.toFixed(1)} s from process start)`);

    // The in-process server reads the index the server process built (no watcher, no rescan of its own).
    const config = parseConfig({ ...env, LOG_LEVEL: 'silent' });
    const app = await buildServer(config, { logger: false, gallery: { watch: false, rescan: false } });
    const inject: Inject = (url) => app.inject({ url });
    try {
      const total = JSON.parse((await inject('/api/assets?limit=1')).body).total as number;
      const day = (d: number) => String(Date.now() - (365 - d) * 86_400_000);
      const filtered = FILTERED.map((f) => `/api/assets?limit=100&${f.replace(/DAY(\d+)/g, (_, d: string) => day(Number(d)))}`);
      const offsets = Array.from({ length: 10 }, (_, i) => `/api/assets?limit=100&sort=size&offset=${Math.floor(((i + 0.5) / 10) * (total - 100))}`);
      const searches = SEARCHES.map((q) => `/api/assets?limit=100&q=${encodeURIComponent(q)}`);
      await timeUrls(inject, ['/api/assets?limit=100'], 20); // warm-up: JIT, connections
      latencyReport('gallery first page (100) of 100k, server-side', 15, await timeUrls(inject, ['/api/assets?limit=100'], 300));
      latencyReport('gallery filtered page, server-side', 25, await timeUrls(inject, [...filtered, ...offsets], 15));
      latencyReport('gallery prompt search, server-side', 50, await timeUrls(inject, searches, 15));

      const base = `http://127.0.0.1:${port}`;
      for (const url of [...filtered, ...searches, ...offsets]) await (await fetch(base + url)).arrayBuffer();
      const rss = rssMb(server.child.pid);
      report(`server RSS with ${total} assets indexed`, `${rss.toFixed(0)} MB`, 'RSS ≤ 200 MB', rss <= 200);
      console.log('      (server process: watcher on, after the pages above were served over HTTP)');
    } finally {
      await app.close();
    }
  } finally {
    await server?.stop();
    await dropPrefix(redis, prefix);
    redis.disconnect();
    if (process.env.BENCH_KEEP) console.log('kept', dir);
    else await rm(dir, { recursive: true, force: true });
  }
}
