/*
 * (1) jobs accepted per second through POST /api/jobs (64 concurrent clients) next to raw BullMQ
 *     queue.add in the same run; (2) submit → job.completed on a WebSocket client with a zero-work
 *     backend (the ComfyUI fake with no step time), p50/p99.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { Agent, request } from 'undici';
import { redisKeys, type AppEvent, type Job } from '@orchestrator/shared';
import { startStack, waitFor } from '../harness/stack.js';
import { percentile, report, throughput } from './stats.js';

const BODY = JSON.stringify({ provider: 'comfyui', kind: 'image', prompt: 'bench', params: { steps: 1, width: 64, height: 64 } });

export async function benchAcceptRate(): Promise<void> {
  const stack = await startStack('bench-accept', { noWorker: true });
  const total = 6000;
  const concurrency = 64;
  try {
    const raw = new Queue('bench-raw', { connection: new Redis(stack.config.redisUrl, { maxRetriesPerRequest: null }), prefix: redisKeys(stack.config.keyPrefix).bullPrefix });
    const payload = JSON.parse(BODY) as object;
    // warm-up both paths
    await throughput(300, concurrency, async () => void (await raw.add('generate', payload)));
    const dispatcher = new Agent({ connections: concurrency, pipelining: 1 });
    const post = async () => {
      const res = await request(`${stack.url}/api/jobs`, { method: 'POST', body: BODY, headers: { 'content-type': 'application/json' }, dispatcher });
      await res.body.dump();
      if (res.statusCode !== 202) throw new Error(`POST /api/jobs answered ${res.statusCode}`);
    };
    await throughput(300, concurrency, post);

    const rawRate = await throughput(total, concurrency, async (i) => void (await raw.add('generate', { ...payload, i }, { jobId: crypto.randomUUID() })));
    const apiRate = await throughput(total, concurrency, post);
    const ratio = apiRate / rawRate;
    report(
      'jobs accepted via POST /api/jobs (64 clients)',
      `${apiRate.toFixed(0)}/s = ${(ratio * 100).toFixed(0)}% of raw`,
      '≥ 50% of raw queue.add',
      ratio >= 0.5,
      `raw BullMQ queue.add ${rawRate.toFixed(0)}/s`,
    );
    await raw.obliterate({ force: true });
    await raw.close();
    await dispatcher.close();
  } finally {
    await stack.close();
  }
}

export async function benchLatency(): Promise<void> {
  const stack = await startStack('bench-latency', { comfy: { stepMs: 0, previews: false } });
  try {
    await waitFor(async () => ((await (await fetch(`${stack.url}/api/backends`)).json()) as { online: boolean }[])[0]?.online, 15000, 'backend');
    const ws = new WebSocket(`${stack.wsUrl}/api/ws`);
    await new Promise((r) => ws.once('open', r));
    const waiting = new Map<string, (t: number) => void>();
    ws.on('message', (data) => {
      const e = JSON.parse(String(data)) as AppEvent;
      if (e.type === 'job.completed' || e.type === 'job.failed') waiting.get((e.data as Job).id)?.(performance.now());
    });
    const samples: number[] = [];
    for (let i = 0; i < 120; i++) {
      const t0 = performance.now();
      const res = await fetch(`${stack.url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY.replace('"bench"', `"bench ${i}"`) });
      const { id } = (await res.json()) as { id: string };
      const t1 = await new Promise<number>((resolve) => waiting.set(id, resolve));
      if (i >= 20) samples.push(t1 - t0); // first 20 warm up connections and JIT
    }
    ws.close();
    samples.sort((a, b) => a - b);
    const p50 = percentile(samples, 50);
    const p99 = percentile(samples, 99);
    report('submit → job.completed on WS (zero-work backend)', `p50 ${p50.toFixed(1)} ms · p99 ${p99.toFixed(1)} ms`, 'p50 ≤ 10 ms, p99 ≤ 50 ms', p50 <= 10 && p99 <= 50);
  } finally {
    await stack.close();
  }
}
