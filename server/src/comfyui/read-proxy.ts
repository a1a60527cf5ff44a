import { backendEndpoint } from '@orchestrator/shared';
import { HttpError } from '../errors.js';

/** The only ComfyUI endpoints we forward: read-only, no prompt submission, no file access. */
export type ProxiedPath =
  | { kind: 'system_stats' }
  | { kind: 'object_info'; node?: string }
  | { kind: 'queue' }
  | { kind: 'history'; promptId: string };

function upstreamPath(p: ProxiedPath): string {
  switch (p.kind) {
    case 'system_stats':
      return '/system_stats';
    case 'object_info':
      return p.node === undefined ? '/object_info' : `/object_info/${encodeURIComponent(p.node)}`;
    case 'queue':
      return '/queue';
    case 'history':
      return `/history/${encodeURIComponent(p.promptId)}`;
  }
}

const MAX_BYTES = 32 * 1024 * 1024;

/** GETs one allow-listed path from a backend and returns its JSON; 502 for anything that goes wrong. */
export async function fetchFromBackend(configuredUrl: string, p: ProxiedPath, timeoutMs: number): Promise<{ status: number; body: unknown }> {
  const { url: baseUrl, authorization } = backendEndpoint(configuredUrl);
  let res: Response;
  try {
    res = await fetch(baseUrl + upstreamPath(p), {
      method: 'GET',
      headers: { accept: 'application/json', ...(authorization ? { authorization } : {}) },
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const timedOut = (err as Error).name === 'TimeoutError';
    throw new HttpError('backend_unreachable', timedOut ? `The backend did not answer within ${timeoutMs} ms` : 'The backend is not reachable', {
      url: baseUrl,
    });
  }
  const text = await readBounded(res);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError('backend_error', `The backend answered ${res.status} with something that is not JSON`);
  }
  if (!res.ok) {
    // A 404 for an unknown node or prompt is the backend's answer, not a failure of ours.
    if (res.status === 404) throw new HttpError('not_found', 'The backend has no such item');
    throw new HttpError('backend_error', `The backend answered ${res.status}`, { status: res.status });
  }
  return { status: res.status, body };
}

/** The body as text, refusing more than MAX_BYTES (object_info is a few MB; anything far bigger is wrong). */
async function readBounded(res: Response): Promise<string> {
  const tooLarge = () => new HttpError('backend_error', 'The backend answer is too large to forward');
  if (Number(res.headers.get('content-length') ?? '0') > MAX_BYTES) {
    await res.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > MAX_BYTES) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError('backend_error', 'The backend connection broke while answering');
  }
  return Buffer.concat(chunks).toString('utf8');
}
