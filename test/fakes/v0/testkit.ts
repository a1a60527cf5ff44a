// Helpers for the v0 fake's tests: authenticated JSON calls against the API base.
import type { FakeV0 } from './index.js';

export type Json = Record<string, unknown>;

export async function api(
  f: FakeV0,
  method: string,
  path: string,
  body?: unknown,
  auth: string | null = `Bearer ${f.apiKey}`,
): Promise<{ status: number; headers: Headers; json: Json }> {
  const headers: Record<string, string> = {};
  if (auth !== null) headers.authorization = auth;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${f.url}${path}`, { method, headers, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Json };
}

export const latest = (chat: Json): Json => chat.latestVersion as Json;
export const messages = (chat: Json): Json[] => chat.messages as Json[];

/** Reads the chat until its latest version is no longer pending; returns every status seen. */
export async function pollChat(f: FakeV0, id: string, max = 50): Promise<{ chat: Json; seen: string[] }> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    const { json } = await api(f, 'GET', `/chats/${id}`);
    seen.push(latest(json).status as string);
    if (latest(json).status !== 'pending') return { chat: json, seen };
  }
  throw new Error(`chat ${id} still pending after ${max} reads`);
}
