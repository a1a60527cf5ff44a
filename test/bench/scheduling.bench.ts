/*
 * The scheduler under load, each figure next to its DESIGN.md target:
 *  (a) 3 worker processes × 3 backends, 300 jobs: every job started once, 0 start-order inversions,
 *      throughput vs one worker driving the same three backends and vs one backend;
 *  (b) model affinity: 2 backends, 3 models interleaved, a model switch costing 1.5 s, jobs of 0.2 s:
 *      makespan vs the lower bound, and vs plain first-in first-out in the same run;
 *  (c) a burst of 40 tiny prompts on one backend, through the product vs fed to it directly;
 *  (d) a farm: 50 simulated backends, 5 worker processes, 5,000 short jobs: throughput vs 50 × one
 *      backend, and Redis CPU per job.
 * The server and the workers run as processes of their own (their production entries, like `npm start`
 * and `npm run worker`); the ComfyUI fakes, the HTTP client and the event listener run in this process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { Agent as HttpAgent, request } from 'undici';
import { ScheduleStore, laneOf, redisKeys, type AppEvent, type Job } from '@orchestrator/shared';
import { REDIS_URL, dropPrefix, uniquePrefix, waitFor } from '../harness/stack.js';
import { startFakeComfy, type FakeComfy } from '../fakes/comfyui/index.js';
import { txt2img } from '../fakes/comfyui/testkit.js';
import { SERVER_MAIN, WORKER_MAIN, cpuMs, freePort, startService, waitHttp, type Service } from './services.js';
import { report } from './stats.js';

const MODEL = 'sd_xl_base_1.0.safetensors';

interface Cluster {
  url: string;
  /** Process ids: the server first, then the workers. */
  pids: number[];
  prefix: string;
  redis: Redis;
  schedule: ScheduleStore;
  /** Resolves when every one of `ids` has ended (completed, failed or cancelled); returns when each ended (ms). */
  settled(ids: string[], timeoutMs: number): Promise<Map<string, number>>;
  submit(body: object): Promise<string>;
  setAgent(name: string, on: boolean): Promise<void>;
  close(): Promise<void>;
}

async function startCluster(name: string, fakes: FakeComfy[], workers: number, extraEnv: Record<string, string> = {}): Promise<Cluster> {
  const dir = await mkdtemp(path.join(tmpdir(), `orch-${name}-`));
  const prefix = uniquePrefix(name);
  const port = await freePort();
  const env = {
    REDIS_URL,
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_PATH: dir,
    KEY_PREFIX: prefix,
    COMFYUI_URLS: fakes.map((f) => f.url).join(','),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_SUBMITS: '0',
    ...extraEnv,
  };
  const services: Service[] = [startService('server', SERVER_MAIN, env, dir)];
  for (let i = 0; i < workers; i++) services.push(startService(`worker-${i}`, WORKER_MAIN, env, dir));
  const url = `http://127.0.0.1:${port}`;
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  const dispatcher = new HttpAgent({ connections: 16 });
  const ended = new Map<string, number>();
  const waiters = new Set<() => void>();
  let ws: WebSocket | undefined;
  const close = async () => {
    ws?.close();
    await Promise.all(services.map((s) => s.stop()));
    await dispatcher.close();
    await dropPrefix(redis, prefix);
    redis.disconnect();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitHttp(`${url}/api/health`);
    const socket = new WebSocket(`ws://127.0.0.1:${port}/api/ws`);
    ws = socket;
    await new Promise((r, j) => socket.once('open', r).once('error', j));
    socket.on('message', (data) => {
      const e = JSON.parse(String(data)) as AppEvent;
      if (e.type === 'job.completed' || e.type === 'job.failed' || e.type === 'job.cancelled') {
        ended.set((e.data as Job).id, performance.now());
        for (const w of waiters) w();
      }
    });
    // Every backend online and driven by a worker, split evenly between the workers.
    const keys = redisKeys(prefix);
    await waitFor(
      async () => {
        const owners = await redis.mget(...fakes.map((_, i) => keys.sched.owner(`comfyui-${i + 1}`)));
        const per = new Map<string, number>();
        for (const o of owners) if (o) per.set(o, (per.get(o) ?? 0) + 1);
        const even = per.size === Math.min(workers, fakes.length) && Math.max(...per.values()) - Math.min(...per.values()) <= 1;
        const backends = (await (await fetch(`${url}/api/backends`)).json()) as { online: boolean }[];
        return owners.every(Boolean) && even && backends.every((b) => b.online);
      },
      60_000,
      'backends owned and online',
    );
  } catch (err) {
    await close();
    throw err;
  }
  return {
    url,
    pids: services.map((s) => s.child.pid ?? 0),
    prefix,
    redis,
    schedule: new ScheduleStore(redis, prefix),
    async submit(body) {
      const res = await request(`${url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), dispatcher });
      const json = (await res.body.json()) as { id: string };
      if (res.statusCode !== 202) throw new Error(`POST /api/jobs answered ${res.statusCode}: ${JSON.stringify(json)}`);
      return json.id;
    },
    async setAgent(agent, on) {
      const res = await request(`${url}/api/agents/${agent}/${on ? 'on' : 'off'}`, { method: 'POST', dispatcher });
      await res.body.dump();
    },
    settled(ids, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (ids.every((id) => ended.has(id))) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(new Map(ids.map((id) => [id, ended.get(id)!])));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${ids.filter((id) => !ended.has(id)).length} of ${ids.length} jobs did not end within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close,
  };
}

const job = (over: object = {}) => ({ provider: 'comfyui', kind: 'image', prompt: 'bench', model: MODEL, params: { steps: 10, width: 64, height: 64 }, ...over });

/** Queues `n` jobs while the provider is off, switches it on, and measures jobs per second to the last completion. */
async function runQueued(c: Cluster, bodies: object[], timeoutMs: number): Promise<{ ids: string[]; seconds: number }> {
  await c.setAgent('comfyui', false);
  await new Promise((r) => setTimeout(r, 1200)); // every worker has heard it
  const ids: string[] = [];
  for (const b of bodies) ids.push(await c.submit(b));
  const t0 = performance.now();
  await c.setAgent('comfyui', true);
  const ended = await c.settled(ids, timeoutMs);
  return { ids, seconds: (Math.max(...ended.values()) - t0) / 1000 };
}

function inversions(submitted: string[], started: string[]): number {
  const at = new Map(started.map((id, i) => [id, i]));
  let n = 0;
  for (let i = 0; i < submitted.length; i++) {
    for (let j = i + 1; j < submitted.length; j++) if ((at.get(submitted[i]!) ?? Infinity) > (at.get(submitted[j]!) ?? Infinity)) n++;
  }
  return n;
}

async function attemptsStarted(c: Cluster, ids: string[], model = MODEL): Promise<number[]> {
  const queue = new Queue(laneOf('comfyui', model).queue, { connection: c.redis, prefix: redisKeys(c.prefix).bullPrefix });
  try {
    return await Promise.all(ids.map(async (id) => (await queue.getJob(id))?.attemptsStarted ?? 0));
  } finally {
    await queue.close();
  }
}

function fakes(n: number, options: Parameters<typeof startFakeComfy>[0]): Promise<FakeComfy[]> {
  return Promise.all(Array.from({ length: n }, () => startFakeComfy({ previews: false, ...options })));
}

const load = () => `load avg ${loadavg()[0]!.toFixed(1)} on 2 cores`;

/** (a) */
export async function benchWorkersAndBackends(): Promise<void> {
  const STEP_MS = 20; // 10 steps: 0.2 s of "GPU" per job
  const N = 300;
  const run = async (name: string, backends: number, workers: number, n: number) => {
    const f = await fakes(backends, { stepMs: STEP_MS });
    const c = await startCluster(name, f, workers);
    try {
      const before = (await c.schedule.startedOrder('comfyui')).length;
      const { ids, seconds } = await runQueued(c, Array.from({ length: n }, () => job()), 300_000);
      const started = (await c.schedule.startedOrder('comfyui')).slice(before);
      const attempts = await attemptsStarted(c, ids);
      return { rate: n / seconds, inversions: inversions(ids, started), once: attempts.filter((a) => a === 1).length, n };
    } finally {
      await c.close();
      await Promise.all(f.map((x) => x.close()));
    }
  };
  const cluster = await run('bench-sched-3x3', 3, 3, N);
  const oneWorker = await run('bench-sched-1x3', 3, 1, N);
  const oneBackend = await run('bench-sched-1x1', 1, 1, 100);
  report(
    '3 workers × 3 backends, 300 jobs: started once',
    `${cluster.once}/${cluster.n} jobs, ${cluster.inversions} inversions`,
    'every job once, 0 inversions',
    cluster.once === cluster.n && cluster.inversions === 0,
  );
  const vsWorker = cluster.rate / oneWorker.rate;
  const vsBackend = cluster.rate / oneBackend.rate;
  report(
    '3 workers × 3 backends, 300 jobs: throughput',
    `${cluster.rate.toFixed(2)} jobs/s = ${vsWorker.toFixed(2)}× one worker, ${vsBackend.toFixed(2)}× one backend`,
    '≥ 0.95× one worker, ≥ 2.85× one backend',
    vsWorker >= 0.95 && vsBackend >= 2.85,
    `one worker × 3 backends ${oneWorker.rate.toFixed(2)} jobs/s (${oneWorker.inversions} inversions, ${oneWorker.once}/${oneWorker.n} once); one backend ${oneBackend.rate.toFixed(2)} jobs/s`,
  );
  console.log(`      fake ComfyUI ${STEP_MS * 10} ms per job; jobs queued with the provider off, timed from switching it on; ${load()}`);
}

/** (b) */
export async function benchAffinity(): Promise<void> {
  const MODELS = ['model-a.safetensors', 'model-b.safetensors', 'model-c.safetensors'];
  const N = 36;
  const LOAD_MS = 1500;
  const JOB_MS = 200;
  const run = async (name: string, env: Record<string, string>) => {
    const f = await fakes(2, { stepMs: JOB_MS / 10, loadMs: LOAD_MS, checkpoints: MODELS });
    const c = await startCluster(name, f, 1, env);
    try {
      const bodies = Array.from({ length: N }, (_, i) => job({ model: MODELS[i % MODELS.length] }));
      const { seconds } = await runQueued(c, bodies, 600_000);
      return { seconds, loads: f.reduce((n, x) => n + x.stats.modelLoads, 0) };
    } finally {
      await c.close();
      await Promise.all(f.map((x) => x.close()));
    }
  };
  const affinity = await run('bench-affinity', {});
  const fifo = await run('bench-fifo', { AFFINITY_MAX_WAIT_MS: '0' });
  // Every model is loaded at least once, and the work is split over the two backends at best.
  const lowerBound = (N * JOB_MS + MODELS.length * LOAD_MS) / 2 / 1000;
  const ratio = affinity.seconds / lowerBound;
  report(
    'model affinity: 2 backends, 3 models, 36 jobs',
    `makespan ${affinity.seconds.toFixed(1)} s = ${ratio.toFixed(2)}× lower bound (${affinity.loads} loads)`,
    '≤ 1.5× the lower bound',
    ratio <= 1.5,
    `first-in first-out ${fifo.seconds.toFixed(1)} s = ${(fifo.seconds / lowerBound).toFixed(2)}× (${fifo.loads} loads); lower bound ${lowerBound.toFixed(1)} s`,
  );
  console.log(`      simulated: a model switch ${LOAD_MS} ms, a job ${JOB_MS} ms; models interleaved a, b, c, a, …; ${load()}`);
}

/** (c) */
export async function benchBurst(): Promise<void> {
  const N = 40;
  const STEP_MS = 25;
  const STEPS = 2;
  // Fed directly: every prompt posted at once, the time until the last one is in /history.
  const direct = await (async () => {
    const [fake] = await fakes(1, { stepMs: STEP_MS });
    try {
      const warm = waitExecuted(fake!, 1);
      await postPrompt(fake!, crypto.randomUUID());
      await warm;
      const done = waitExecuted(fake!, N);
      const t0 = performance.now();
      for (let i = 0; i < N; i++) await postPrompt(fake!, crypto.randomUUID());
      await done;
      return (performance.now() - t0) / 1000;
    } finally {
      await fake!.close();
    }
  })();
  const product = await (async () => {
    const f = await fakes(1, { stepMs: STEP_MS });
    const c = await startCluster('bench-burst', f, 1);
    try {
      await c.settled([await c.submit(job({ params: { steps: STEPS, width: 64, height: 64 } }))], 30_000); // warm: model loaded, connections open
      const t0 = performance.now();
      const ids: string[] = [];
      for (let i = 0; i < N; i++) ids.push(await c.submit(job({ prompt: `burst ${i}`, params: { steps: STEPS, width: 64, height: 64 } })));
      const ended = await c.settled(ids, 120_000);
      return (Math.max(...ended.values()) - t0) / 1000;
    } finally {
      await c.close();
      await f[0]!.close();
    }
  })();
  const ratio = product / direct;
  report(
    'a burst of 40 tiny prompts on one backend',
    `${product.toFixed(2)} s = ${ratio.toFixed(2)}× fed directly`,
    '≤ 1.2× fed directly',
    ratio <= 1.2,
    `fed directly ${direct.toFixed(2)} s`,
  );
  console.log(`      fake ComfyUI, ${STEPS} steps × ${STEP_MS} ms per prompt; the product saves each image (PNG + sidecar) and indexes it; ${load()}`);
}

async function postPrompt(fake: FakeComfy, id: string): Promise<string> {
  const res = await fetch(`${fake.url}/prompt`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: txt2img({ ckpt: MODEL, steps: 2, width: 64, height: 64, seed: Math.floor(Math.random() * 1e9) }), prompt_id: id }),
  });
  if (!res.ok) throw new Error(`POST /prompt answered ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
  return id;
}

/** Waits (2 ms polls of a counter in this process) until the fake has executed `count` more prompts. */
async function waitExecuted(fake: FakeComfy, count: number): Promise<void> {
  const target = fake.stats.promptsExecuted + count;
  const until = Date.now() + 120_000;
  while (fake.stats.promptsExecuted < target) {
    if (Date.now() > until) throw new Error('prompts did not finish');
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** (d) */
export async function benchFarm(): Promise<void> {
  const BACKENDS = 50;
  const WORKERS = 5;
  const N = Number(process.env.BENCH_FARM_JOBS ?? 5000);
  const STEP_MS = 100; // 10 steps: 1 s per job
  // One backend driven alone, in the same run: what 50 of them should reach together.
  const one = await (async () => {
    const f = await fakes(1, { stepMs: STEP_MS });
    const c = await startCluster('bench-farm-one', f, 1);
    try {
      const { seconds } = await runQueued(c, Array.from({ length: 20 }, () => job()), 120_000);
      return 20 / seconds;
    } finally {
      await c.close();
      await f[0]!.close();
    }
  })();
  const f = await fakes(BACKENDS, { stepMs: STEP_MS });
  const c = await startCluster('bench-farm', f, WORKERS);
  const info = new Redis(REDIS_URL);
  try {
    const redisPid = Number(/process_id:(\d+)/.exec(await info.info('server'))?.[1]);
    await c.setAgent('comfyui', false);
    await new Promise((r) => setTimeout(r, 1200));
    const ids: string[] = [];
    const body = job();
    for (let i = 0; i < N; i += 50) ids.push(...(await Promise.all(Array.from({ length: Math.min(50, N - i) }, () => c.submit(body)))));
    const pids = [redisPid, process.pid, c.pids[0]!, ...c.pids.slice(1)];
    const cpuBefore = pids.map(cpuMs);
    const busyBefore = f.reduce((n, x) => n + x.stats.executionMs, 0);
    const t0 = performance.now();
    await c.setAgent('comfyui', true);
    const ended = await c.settled(ids, 900_000);
    const wall = Math.max(...ended.values()) - t0;
    const perJob = pids.map((pid, i) => (cpuMs(pid) - cpuBefore[i]!) / N);
    const workersPerJob = perJob.slice(3).reduce((a, b) => a + b, 0);
    const busy = (f.reduce((n, x) => n + x.stats.executionMs, 0) - busyBefore) / (BACKENDS * wall);
    const rate = N / (wall / 1000);
    const ratio = rate / (BACKENDS * one);
    const attempts = await attemptsStarted(c, ids);
    report(
      `farm: ${BACKENDS} backends, ${WORKERS} workers, ${N} jobs`,
      `${rate.toFixed(1)} jobs/s = ${ratio.toFixed(2)}× 50 × one backend`,
      '≥ 0.9× 50 × one backend',
      ratio >= 0.9,
      `one backend alone ${one.toFixed(2)} jobs/s; backends busy ${(busy * 100).toFixed(0)}% of the time; started once ${attempts.filter((a) => a === 1).length}/${N}`,
    );
    console.log(`      Redis CPU ${perJob[0]!.toFixed(2)} ms per job (queue, records, events, gallery index); ${STEP_MS * 10} ms per job; ${load()}`);
    console.log(
      `      CPU ms per job: the ${BACKENDS} fakes and the client ${perJob[1]!.toFixed(2)} · server ${perJob[2]!.toFixed(2)} · ${WORKERS} workers ${workersPerJob.toFixed(2)} · Redis ${perJob[0]!.toFixed(2)}`,
    );
  } finally {
    info.disconnect();
    await c.close();
    await Promise.all(f.map((x) => x.close()));
  }
}
