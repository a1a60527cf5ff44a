import { OutboundError, fetchWithTimeout, parseV0ErrorBody, readBody, v0ErrorRule, type ErrorCode, type V0ErrorCode } from '@orchestrator/shared';
import { HttpError } from '../errors.js';

/*
 * The one v0 call the server makes itself: a page of the user's chats (`GET /chats?limit&offset`), for
 * the import picker, through the shared outbound core (fetchWithTimeout, readBody; the server does not
 * carry v0-sdk, and the SDK drops the Retry-After of a 429). The key travels only in the Authorization
 * header; v0's errors become HttpErrors whose messages come from the shared V0_ERRORS table and never
 * contain the key.
 */

export interface V0ChatListItem {
  id: string;
  name?: string;
  webUrl: string;
  createdAt: string;
  updatedAt?: string;
  latestVersion?: { id: string; status: string; demoUrl?: string };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function item(raw: unknown): V0ChatListItem | null {
  if (!isObject(raw) || typeof raw.id !== 'string' || typeof raw.webUrl !== 'string') return null;
  const lv = isObject(raw.latestVersion) && typeof raw.latestVersion.id === 'string' ? raw.latestVersion : null;
  const name = str(raw.name) ?? str(raw.title);
  const updatedAt = str(raw.updatedAt);
  const demoUrl = lv ? str(lv.demoUrl) : undefined;
  return {
    id: raw.id,
    ...(name ? { name } : {}),
    webUrl: raw.webUrl,
    createdAt: str(raw.createdAt) ?? '',
    ...(updatedAt ? { updatedAt } : {}),
    ...(lv ? { latestVersion: { id: lv.id as string, status: str(lv.status) ?? 'unknown', ...(demoUrl ? { demoUrl } : {}) } } : {}),
  };
}

const RELAYED = new Set<V0ErrorCode>(['provider_auth', 'provider_forbidden', 'rate_limited', 'backend_error']);
const relayed = (code: V0ErrorCode): ErrorCode => (RELAYED.has(code) ? code : 'provider_error');

export async function listV0Chats(o: { baseUrl: string; apiKey: string; limit: number; offset: number; timeoutMs?: number }): Promise<V0ChatListItem[]> {
  const url = `${o.baseUrl.replace(/\/+$/, '')}/chats?limit=${o.limit}&offset=${o.offset}`;
  let res: Response;
  try {
    res = await fetchWithTimeout(url, { headers: { authorization: `Bearer ${o.apiKey}`, accept: 'application/json' } }, { timeoutMs: o.timeoutMs ?? 15_000 });
  } catch (err) {
    if (!(err instanceof OutboundError)) throw err;
    throw new HttpError('provider_error', 'v0 could not be reached; try again shortly');
  }
  const { text, json } = await readBody(res);
  if (!res.ok) {
    const rule = v0ErrorRule(res.status);
    const said = parseV0ErrorBody(text).message;
    const retryAfter = res.headers.get('retry-after');
    // Relayed with the status our registry gives the code; v0's complaints about the request itself (400,
    // 404, 409, 413, 422 to a plain list call) are v0's trouble here, so provider_error (502).
    throw new HttpError(relayed(rule.code), `${rule.message}${said ? ` — v0 says: ${said}` : ''}`, {
      v0Status: res.status,
      ...(retryAfter ? { retryAfter } : {}),
    });
  }
  if (!isObject(json) || !Array.isArray(json.data)) throw new HttpError('provider_error', 'v0 sent a chat list that could not be read');
  return json.data.map(item).filter((c): c is V0ChatListItem => c !== null);
}
