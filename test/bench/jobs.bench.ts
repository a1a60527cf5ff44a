/*
 * (1) jobs accepted per second through POST /api/jobs (64 concurrent clients) next to raw BullMQ
 *     queue.add in the same run; (2) submit → job.completed on a WebSocket client with a zero-work
 *     backend (the ComfyUI fake with no step time), p50/p99.
 *
 * Topology: the server and the worker run as processes of their own (their production entries, at
 * LOG_LEVEL info), like `npm start`; the HTTP load generator, the WebSocket client, the raw BullMQ
 * producer and the ComfyUI fake run in this process. Same machine, same Redis, same run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { Agent, request } from 'undici';
import { redisKeys, type AppEvent, type Job } from '@orchestrator/shared';
import { REDIS_URL, dropPrefix, uniquePrefix, waitFor } from '../harness/stack.js';
import { startFakeComfy } from '../fakes/comfyui/index.js';
import { SERVER_MAIN, WORKER_MAIN, cpuMs, freePort, startService, waitHttp, type Service } from './services.js';
import { percentile, report, throughput } from './stats.js';

const BODY = JSON.stringify({ provider: 'comfyui', kind: 'image', prompt: 'bench', params: { steps: 1, width: 64, height: 64 } });
const CONCURRENCY = 64;
const TOPOLOGY = 'server and worker in processes of their own';

interface Product {
  url: string;
  wsUrl: string;
  prefix: string;
  /** The server's process id. */
  serverPid: number | undefined;
  close(): Promise<void>;
}

/** Server (and optionally one worker) as child processes with a key prefix and folder of their own. */
async function startProduct(name: string, comfyUrl: string, withWorker: boolean): Promise<Product> {
  const dir = await mkdtemp(path.join(tmpdir(), `orch-${name}-`));
  const prefix = uniquePrefix(name);
  const port = await freePort();
  const env = { REDIS_URL, HOST: '127.0.0.1', PORT: String(port), DATA_PATH: dir, KEY_PREFIX: prefix, COMFYUI_URLS: comfyUrl, LOG_LEVEL: 'info', RATE_LIMIT_SUBMITS: '0' };
  const services: Service[] = [startService('server', SERVER_MAIN, env, dir)];
  if (withWorker) services.push(startService('worker', WORKER_MAIN, env, dir));
  const url = `http://127.0.0.1:${port}`;
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  const close = async () => {
    await Promise.all(services.map((s) => s.stop()));
    await dropPrefix(redis, prefix);
    redis.disconnect();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitHttp(`${url}/api/health`);
  } catch (err) {
    await close();
    throw err;
  }
  return { url, wsUrl: `ws://127.0.0.1:${port}`, prefix, serverPid: services[0]!.child.pid, close };
}

/** Other work on the machine skews every figure here; the bench says how busy it was. */
function machineLoad(): string {
  return `load avg ${loadavg()[0]!.toFixed(1)} on 2 cores`;
}

export async function benchAcceptRate(): Promise<void> {
  // No worker: jobs only have to be accepted. The backend URL is configured but never called.
  const product = await startProduct('bench-accept', 'http://127.0.0.1:8188', false);
  const total = 20_000;
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const raw = new Queue('bench-raw', { connection, prefix: redisKeys(product.prefix).bullPrefix });
  const dispatcher = new Agent({ connections: CONCURRENCY, pipelining: 1 });
  const info = new Redis(REDIS_URL);
  try {
    const redisPid = Number(/process_id:(\d+)/.exec(await info.info('server'))?.[1]);
    const payload = JSON.parse(BODY) as object;
    const rawAdd = async () => void (await raw.add('generate', payload, { jobId: crypto.randomUUID() }));
    const post = async () => {
      const res = await request(`${product.url}/api/jobs`, { method: 'POST', body: BODY, headers: { 'content-type': 'application/json' }, dispatcher });
      await res.body.dump();
      if (res.statusCode !== 202) throw new Error(`POST /api/jobs answered ${res.statusCode}`);
    };
    /** Jobs per second, and the CPU time each process spent per job (where the 2 cores went). */
    const measure = async (task: () => Promise<void>) => {
      const pids = [process.pid, product.serverPid, redisPid];
      const before = pids.map(cpuMs);
      const rate = await throughput(total, CONCURRENCY, task);
      const perJob = pids.map((pid, i) => ((cpuMs(pid) - before[i]!) * 1000) / total);
      return { rate, perJob };
    };
    // Warm-up (connections, JIT, Lua script cache), then two interleaved rounds; the better of each.
    await throughput(2000, CONCURRENCY, rawAdd);
    await throughput(2000, CONCURRENCY, post);
    const raws: Awaited<ReturnType<typeof measure>>[] = [];
    const apis: Awaited<ReturnType<typeof measure>>[] = [];
    for (let round = 0; round < 2; round++) {
      raws.push(await measure(rawAdd));
      apis.push(await measure(post));
    }
    const best = (runs: typeof raws) => runs.reduce((a, b) => (b.rate > a.rate ? b : a));
    const rawBest = best(raws);
    const apiBest = best(apis);
    const ratio = apiBest.rate / rawBest.rate;
    report(
      `jobs accepted via POST /api/jobs (${CONCURRENCY} clients)`,
      `${apiBest.rate.toFixed(0)}/s = ${(ratio * 100).toFixed(0)}% of raw`,
      '≥ 50% of raw queue.add',
      ratio >= 0.5,
      `raw BullMQ queue.add ${rawBest.rate.toFixed(0)}/s, ${CONCURRENCY} concurrent, same Redis`,
    );
    const cpu = (r: typeof rawBest) => r.perJob.map((us) => us.toFixed(0).padStart(4)).join(' · ');
    console.log(`      CPU µs per job (load generator · server · redis): API ${cpu(apiBest)}, raw ${cpu(rawBest)}`);
    console.log(`      ${TOPOLOGY}; undici client with ${CONCURRENCY} keep-alive connections in the bench process; ${machineLoad()}`);
    await raw.obliterate({ force: true });
  } finally {
    info.disconnect();
    await raw.close();
    connection.disconnect();
    await dispatcher.close();
    await product.close();
  }
}

export async function benchLatency(): Promise<void> {
  // The backend is the ComfyUI fake with no step time and no previews. It still spends a few ms per
  // prompt (it writes a real PNG); that time (its stats.executionMs) is measured per job and
  // subtracted: overhead = end to end − backend.
  const comfy = await startFakeComfy({ stepMs: 0, previews: false });
  const product = await startProduct('bench-latency', comfy.url, true);
  const dispatcher = new Agent({ connections: 1, pipelining: 1 });
  let ws: WebSocket | undefined;
  try {
    await waitFor(async () => ((await (await fetch(`${product.url}/api/backends`)).json()) as { online: boolean }[])[0]?.online, 15000, 'backend');
    const socket = new WebSocket(`${product.wsUrl}/api/ws`);
    ws = socket;
    await new Promise((r) => socket.once('open', r));
    const waiting = new Map<string, (t: number) => void>();
    socket.on('message', (data) => {
      const t = performance.now();
      const e = JSON.parse(String(data)) as AppEvent;
      if (e.type === 'job.completed' || e.type === 'job.failed') waiting.get((e.data as Job).id)?.(t);
    });
    const endToEnd: number[] = [];
    const backend: number[] = [];
    const overhead: number[] = [];
    for (let i = 0; i < 220; i++) {
      const busyBefore = comfy.stats.executionMs;
      const t0 = performance.now();
      const res = await request(`${product.url}/api/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: BODY.replace('"bench"', `"bench ${i}"`),
        dispatcher,
      });
      const { id } = (await res.body.json()) as { id: string };
      const t1 = await new Promise<number>((resolve) => waiting.set(id, resolve));
      waiting.delete(id);
      if (i < 20) continue; // warm up connections and JIT
      const busy = comfy.stats.executionMs - busyBefore;
      endToEnd.push(t1 - t0);
      backend.push(busy);
      overhead.push(t1 - t0 - busy);
    }
    for (const a of [endToEnd, backend, overhead]) a.sort((x, y) => x - y);
    const p50 = percentile(overhead, 50);
    const p99 = percentile(overhead, 99);
    const bull = await bullRoundTrip(product.prefix);
    report(
      'submit → job.completed on WS (zero-work backend)',
      `overhead p50 ${p50.toFixed(1)} ms · p99 ${p99.toFixed(1)} ms`,
      'p50 ≤ 10 ms, p99 ≤ 50 ms',
      p50 <= 10 && p99 <= 50,
      `BullMQ alone, add → no-op worker → QueueEvents completed: p50 ${bull.p50.toFixed(1)} ms · p99 ${bull.p99.toFixed(1)} ms`,
    );
    console.log(
      `      end to end p50 ${percentile(endToEnd, 50).toFixed(1)} ms · p99 ${percentile(endToEnd, 99).toFixed(1)} ms, ` +
        `of which the fake backend executing p50 ${percentile(backend, 50).toFixed(1)} ms · p99 ${percentile(backend, 99).toFixed(1)} ms`,
    );
    console.log(`      ${TOPOLOGY}; client, WebSocket and ComfyUI fake in the bench process; 200 sequential jobs; ${machineLoad()}`);
  } finally {
    ws?.close();
    await dispatcher.close();
    await product.close();
    await comfy.close();
  }
}

/** The queue library's own round trip, for scale: what any job pays before our code does anything. */
async function bullRoundTrip(prefix: string): Promise<{ p50: number; p99: number }> {
  const opts = { prefix: redisKeys(prefix).bullPrefix };
  const connections = [0, 1, 2].map(() => new Redis(REDIS_URL, { maxRetriesPerRequest: null }));
  const queue = new Queue('bench-roundtrip', { connection: connections[0]!, ...opts });
  const worker = new Worker('bench-roundtrip', async () => null, { connection: connections[1]!, ...opts });
  const events = new QueueEvents('bench-roundtrip', { connection: connections[2]!, ...opts });
  try {
    await Promise.all([worker.waitUntilReady(), events.waitUntilReady()]);
    const waiting = new Map<string, () => void>();
    events.on('completed', ({ jobId }) => waiting.get(jobId)?.());
    const samples: number[] = [];
    for (let i = 0; i < 220; i++) {
      const id = crypto.randomUUID();
      const done = new Promise<void>((resolve) => waiting.set(id, resolve));
      const t0 = performance.now();
      await queue.add('generate', JSON.parse(BODY) as object, { jobId: id });
      await done;
      if (i >= 20) samples.push(performance.now() - t0);
    }
    samples.sort((a, b) => a - b);
    return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
  } finally {
    await worker.close();
    await events.close();
    await queue.obliterate({ force: true });
    await queue.close();
    for (const c of connections) c.disconnect();
  }
}
