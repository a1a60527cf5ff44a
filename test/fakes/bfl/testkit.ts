// Helpers for the BFL fake's tests: authenticated fetches and a submit-then-poll loop.
import type { FakeBfl } from './index.js';

export type Json = Record<string, unknown>;

export async function submit(f: FakeBfl, model: string, body: unknown, key: string | null = f.apiKey): Promise<{ status: number; headers: Headers; json: Json }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== null) headers['x-key'] = key;
  const res = await fetch(`${f.url}/v1/${model}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Json };
}

export async function poll(f: FakeBfl, url: string, key: string | null = f.apiKey): Promise<{ status: number; json: Json }> {
  const res = await fetch(url, { headers: key === null ? {} : { 'x-key': key } });
  return { status: res.status, json: (await res.json()) as Json };
}

/** Polls until the status is no longer "Pending"; returns every body seen. */
export async function pollToEnd(f: FakeBfl, url: string, max = 50): Promise<Json[]> {
  const seen: Json[] = [];
  for (let i = 0; i < max; i++) {
    const { json } = await poll(f, url);
    seen.push(json);
    if (json.status !== 'Pending') return seen;
  }
  throw new Error(`still Pending after ${max} polls`);
}

export async function submitAndFinish(f: FakeBfl, model: string, body: unknown): Promise<{ id: string; pollingUrl: string; last: Json; seen: Json[] }> {
  const r = await submit(f, model, body);
  if (r.status !== 200) throw new Error(`submit answered ${r.status}: ${JSON.stringify(r.json)}`);
  const pollingUrl = r.json.polling_url as string;
  const seen = await pollToEnd(f, pollingUrl);
  return { id: r.json.id as string, pollingUrl, last: seen[seen.length - 1]!, seen };
}
