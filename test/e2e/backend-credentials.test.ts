import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKeys, type Job } from '@orchestrator/shared';
import { startStack, waitFor, type Stack } from '../harness/stack.js';

/*
 * A ComfyUI behind a reverse proxy with basic auth, its credentials in COMFYUI_URLS
 * (`http://admin:<password>@host:port`): jobs, the monitor and the read-only proxy all work, and the
 * password shows up in no response, no event and no Redis value.
 */

const PASSWORD = 'canary-Pa55w0rd-7f3a';
let stack: Stack;

beforeAll(async () => {
  stack = await startStack('e2e-credentials', { comfy: { stepMs: 5 }, comfyCredentials: `admin:${PASSWORD}` });
});

afterAll(async () => {
  await stack?.close();
});

async function text(path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${stack.url}${path}`);
  return { status: res.status, body: await res.text() };
}

describe('a backend whose URL carries credentials', () => {
  it('runs jobs on it (HTTP, WebSocket and image downloads all authenticated)', async () => {
    await waitFor(async () => ((await (await fetch(`${stack.url}/api/backends`)).json()) as { online: boolean }[])[0]?.online, 15000, 'backend online');
    const res = await fetch(`${stack.url}/api/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'comfyui', kind: 'image', prompt: 'a lighthouse', params: { steps: 3, width: 64, height: 64 } }),
    });
    const { id } = (await res.json()) as { id: string };
    const job = await waitFor(async () => {
      const j = (await (await fetch(`${stack.url}/api/jobs/${id}`)).json()) as Job;
      return j.status === 'completed' || j.status === 'failed' ? j : null;
    }, 20000);
    expect(job.status).toBe('completed');
    expect(stack.comfy[0]!.stats.promptsExecuted).toBe(1);
  });

  it('proxies the read-only ComfyUI routes to it', async () => {
    const stats = await text('/api/comfyui/comfyui-1/system_stats');
    expect(stats.status).toBe(200);
    expect(JSON.parse(stats.body)).toHaveProperty('system');
  });

  it('never shows the password: responses, events and Redis', async () => {
    const paths = ['/api/health', '/api/backends', '/api/agents', '/api/queue', '/api/jobs', '/api/comfyui/status', '/api/selfcheck', '/api/comfyui/comfyui-1/queue'];
    for (const p of paths) {
      const { status, body } = await text(p);
      expect(status, p).toBeLessThan(500);
      expect(body, p).not.toContain(PASSWORD);
      expect(body, p).not.toContain('admin:');
    }
    const url = JSON.parse((await text('/api/backends')).body)[0].url as string;
    expect(url).toBe(stack.comfy[0]!.url);
    // Everything any process wrote to Redis under the prefix (records, events, statuses, BullMQ).
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await stack.redis.scan(cursor, 'MATCH', `${stack.config.keyPrefix}:*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    const dumps = await Promise.all(keys.map((k) => stack.redis.dumpBuffer(k)));
    const leaks = keys.filter((k, i) => dumps[i]?.toString('latin1').includes(PASSWORD));
    expect(leaks).toEqual([]);
    expect(keys).toContain(redisKeys(stack.config.keyPrefix).events);
  });
});
