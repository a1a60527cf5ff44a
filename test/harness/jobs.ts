import { expect } from 'vitest';
import type { Job } from '@orchestrator/shared';
import { waitFor } from './stack.js';

/** Sends a request to the stack under test: a path such as `/api/jobs`, and fetch's init. */
export type StackFetch = (path: string, init?: RequestInit) => Promise<Response>;

const FINAL: readonly Job['status'][] = ['completed', 'failed', 'cancelled'];

/**
 * What end-to-end tests do with jobs over HTTP, one way: submit one (expecting 202) and poll it until it
 * is completed, failed or cancelled. `request` is the test's own fetch (one that records what it saw,
 * or one that reads the stack's URL when called, since stacks start in beforeAll).
 */
export function jobsOver(request: StackFetch) {
  return {
    async submit(body: object): Promise<string> {
      const res = await request('/api/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status, await res.clone().text()).toBe(202);
      return ((await res.json()) as { id: string }).id;
    },
    finished(id: string, timeoutMs = 30_000): Promise<Job> {
      return waitFor(
        async () => {
          const job = (await (await request(`/api/jobs/${id}`)).json()) as Job;
          return FINAL.includes(job.status) ? job : null;
        },
        timeoutMs,
        `job ${id}`,
      );
    },
  };
}
