import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { assetUrls, siteAssetId, type Asset, type V0SiteManifest } from '@orchestrator/shared';
import { startFakeV0, type FakeV0 } from '../../../../test/fakes/v0/index.js';
import { api } from '../../../../test/fakes/v0/testkit.js';
import { HandedBack, JobCancelled, JobFailure } from '../../errors.js';
import { runContext, siteJob, tempOutput, v0Config } from '../../testing/v0-site.js';
import { createV0Provider } from './index.js';
import type { Provider } from '../provider.js';
import { MemoryV0TaskStore } from './task-store.js';

let fake: FakeV0;
let out: Awaited<ReturnType<typeof tempOutput>>;
let tasks: MemoryV0TaskStore;
let provider: Provider;
const tuning = { pollInitialMs: 5, pollMaxMs: 20, deadlineMs: 10_000 };

beforeAll(async () => {
  fake = await startFakeV0({ pendingPolls: 2 });
  out = await tempOutput();
});
afterAll(async () => {
  await fake.close();
  await out.remove();
});
beforeEach(() => {
  fake.faults = { pendingPolls: 2 };
  tasks = new MemoryV0TaskStore();
  provider = createV0Provider(v0Config(out.outputPath, fake), { tasks, tuning });
});

const manifestOf = async (chatId: string): Promise<V0SiteManifest> =>
  JSON.parse(await readFile(path.join(out.outputPath, 'sites', chatId, 'site.json'), 'utf8')) as V0SiteManifest;
const siteFile = (chatId: string, versionId: string, name: string): Promise<string> =>
  readFile(path.join(out.outputPath, 'sites', chatId, versionId, name), 'utf8');

async function failure(p: Promise<unknown>): Promise<JobFailure> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(JobFailure);
  return err as JobFailure;
}

async function createSite(prompt = 'a landing page for a lighthouse museum'): Promise<Asset> {
  const { assets } = await provider.run(siteJob({ prompt, model: 'v0-mini', systemPrompt: 'Use Tailwind.' }), runContext().ctx);
  return assets[0]!;
}

describe('v0 provider: create', () => {
  it('creates an async chat, polls pending → completed, saves the files and writes the manifest', async () => {
    const { ctx, progress } = runContext();
    const before = fake.stats.polls;
    const { assets, backend } = await provider.run(siteJob({ model: 'v0-mini', systemPrompt: 'Use Tailwind.' }), ctx);
    expect(backend).toBe('v0');
    expect(fake.stats.polls - before).toBeGreaterThanOrEqual(3); // two pending reads, then completed
    expect(progress.some((p) => /^v0 is generating… \d+ s$/.test(p.message ?? ''))).toBe(true);

    const asset = assets[0]!;
    const chatId = asset.site!.chatId;
    const versionId = asset.site!.versionId;
    expect(asset).toMatchObject({ id: siteAssetId(chatId), type: 'site', fileName: 'site.json', relPath: `sites/${chatId}/site.json`, mimeType: 'application/json' });
    expect(asset).toMatchObject(assetUrls(asset.id));
    expect(asset.meta).toMatchObject({ provider: 'v0', model: 'v0-mini', prompt: 'a landing page for a lighthouse museum' });
    expect(asset.site!.demoUrl).toMatch(new RegExp(`^${fake.demoHost}/demo/${versionId}/`));
    expect(asset.site!.webUrl).toContain(`/chat/${chatId}`);

    expect(await siteFile(chatId, versionId, 'app/page.tsx')).toContain('lighthouse museum');
    const manifest = await manifestOf(chatId);
    expect(manifest).toMatchObject({ version: 1, chatId, prompt: 'a landing page for a lighthouse museum', systemPrompt: 'Use Tailwind.', model: 'v0-mini' });
    expect(manifest.versions).toHaveLength(1);
    expect(manifest.versions[0]).toMatchObject({ id: versionId, status: 'completed', filesSaved: true, demoUrl: asset.site!.demoUrl });
    expect(manifest.versions[0]!.files.sort()).toEqual(['app/globals.css', 'app/layout.tsx', 'app/page.tsx']);
    expect(asset.size).toBe((await stat(path.join(out.outputPath, asset.relPath))).size);
    expect(tasks.records.size).toBe(0);
  });

  it('fails clearly when the version ends "failed", and writes no site', async () => {
    fake.faults.failNext = true;
    const chatsBefore = fake.stats.chatsCreated;
    const err = await failure(provider.run(siteJob(), runContext().ctx));
    expect(err.code).toBe('execution_error');
    expect(err.message).toMatch(/v0 could not generate this version \(it ended "failed"\)/);
    expect(fake.stats.chatsCreated).toBe(chatsBefore + 1);
    const chatId = (err.details as { chatId: string }).chatId;
    await expect(stat(path.join(out.outputPath, 'sites', chatId, 'site.json'))).rejects.toThrow();
  });

  it('gives up at the deadline with a message that says the chat can be imported later', async () => {
    fake.faults.pendingPolls = 1000;
    const p = createV0Provider(v0Config(out.outputPath, fake), { tasks, tuning: { ...tuning, deadlineMs: 60 } });
    const err = await failure(p.run(siteJob(), runContext().ctx));
    expect(err.code).toBe('provider_timeout');
    expect(err.message).toMatch(/did not finish within .* import it later/);
  });

  it('a retried job follows the chat its first attempt created instead of creating another', async () => {
    fake.faults.pendingPolls = 30;
    const job = siteJob();
    const first = runContext();
    const run1 = provider.run(job, first.ctx);
    await waitFor(() => tasks.records.has(job.id));
    first.abort('shutdown');
    expect(await run1.catch((e: unknown) => e)).toBeInstanceOf(HandedBack);
    expect(tasks.records.has(job.id)).toBe(true); // kept for the retry
    const created = fake.stats.chatsCreated;
    const { assets } = await provider.run(job, runContext({ attempt: 2 }).ctx);
    expect(fake.stats.chatsCreated).toBe(created);
    expect(assets[0]!.site!.chatId).toBe(tasks.records.get(job.id)?.chatId ?? assets[0]!.site!.chatId);
  });

  it('a retry without a record finds the chat by the job id in its metadata', async () => {
    fake.faults.pendingPolls = 30;
    const job = siteJob();
    const first = runContext();
    const run1 = provider.run(job, first.ctx);
    await waitFor(() => tasks.records.has(job.id));
    const chatId = tasks.records.get(job.id)!.chatId;
    first.abort('shutdown');
    await run1.catch(() => undefined);
    tasks.records.clear(); // the worker died before the record was written
    const created = fake.stats.chatsCreated;
    const { assets } = await provider.run(job, runContext({ attempt: 2 }).ctx);
    expect(fake.stats.chatsCreated).toBe(created);
    expect(assets[0]!.site!.chatId).toBe(chatId);
  });

  it('a cancel stops waiting, stops the generation on v0 and ends the job cancelled', async () => {
    fake.faults.pendingPolls = 1000;
    const job = siteJob();
    const { ctx, abort } = runContext();
    const run = provider.run(job, ctx);
    await waitFor(() => tasks.records.has(job.id));
    const chatId = tasks.records.get(job.id)!.chatId;
    const answerId = await inFlightAnswer(chatId);
    abort('cancel');
    expect(await run.catch((e: unknown) => e)).toBeInstanceOf(JobCancelled);
    expect(stopsOf(chatId)).toEqual([{ chatId, messageId: answerId, status: 200, at: expect.any(Number) }]);
    // stopped for good: later reads never see it complete
    for (let i = 0; i < 3; i++) expect((await api(fake, 'GET', `/chats/${chatId}`)).json.latestVersion).toMatchObject({ status: 'failed' });
    expect(tasks.records.has(job.id)).toBe(false);
  });

  it('a shutdown stops nothing: the generation goes on for the retry', async () => {
    fake.faults.pendingPolls = 1000;
    const job = siteJob();
    const { ctx, abort } = runContext();
    const run = provider.run(job, ctx);
    await waitFor(() => tasks.records.has(job.id));
    abort('shutdown');
    expect(await run.catch((e: unknown) => e)).toBeInstanceOf(HandedBack);
    expect(stopsOf(tasks.records.get(job.id)!.chatId)).toEqual([]);
  });

  it('a stop that v0 refuses, or that v0 does not answer in time, still ends the job cancelled promptly', async () => {
    fake.faults.pendingPolls = 1000;
    const p = createV0Provider(v0Config(out.outputPath, fake), { tasks, tuning: { ...tuning, stopTimeoutMs: 200 } });
    for (const fault of [{ stopError: { status: 500 as const } }, { stopDelayMs: 5000 }]) {
      Object.assign(fake.faults, fault);
      const job = siteJob();
      const { ctx, abort } = runContext();
      const run = p.run(job, ctx);
      await waitFor(() => tasks.records.has(job.id));
      const chatId = tasks.records.get(job.id)!.chatId;
      const started = Date.now();
      abort('cancel');
      expect(await run.catch((e: unknown) => e)).toBeInstanceOf(JobCancelled);
      expect(Date.now() - started).toBeLessThan(1500);
      expect(stopsOf(chatId)).toHaveLength(1);
      fake.faults = { pendingPolls: 1000 };
    }
  });

  it('an unreachable v0 at cancel time still ends the job cancelled promptly', async () => {
    const own = await startFakeV0({ pendingPolls: 1000 });
    const p = createV0Provider(v0Config(out.outputPath, own), { tasks, tuning: { ...tuning, pollInitialMs: 2000, pollMaxMs: 2000 } });
    const job = siteJob();
    const { ctx, abort } = runContext();
    const run = p.run(job, ctx);
    await waitFor(() => own.stats.polls > 0); // now sleeping before the next poll
    await own.close();
    const started = Date.now();
    abort('cancel');
    expect(await run.catch((e: unknown) => e)).toBeInstanceOf(JobCancelled);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(own.stops).toEqual([]);
  });
});

describe('v0 provider: follow-up and import', () => {
  it('a follow-up by asset id adds version 2 to the same site asset', async () => {
    const first = await createSite('a bakery homepage');
    const { assets } = await provider.run(siteJob({ prompt: 'make the header blue', followUp: { assetId: first.id } }), runContext().ctx);
    const second = assets[0]!;
    expect(second.id).toBe(first.id);
    expect(second.site!.chatId).toBe(first.site!.chatId);
    expect(second.site!.versionId).not.toBe(first.site!.versionId);
    expect(second.site!.versions!.map((v) => v.id)).toEqual([first.site!.versionId, second.site!.versionId]);
    const manifest = await manifestOf(first.site!.chatId);
    expect(manifest.prompt).toBe('a bakery homepage');
    expect(manifest.versions[1]).toMatchObject({ message: 'make the header blue', filesSaved: true });
    expect(await siteFile(first.site!.chatId, second.site!.versionId, 'app/page.tsx')).toContain('make the header blue');
    expect(await siteFile(first.site!.chatId, first.site!.versionId, 'app/page.tsx')).not.toContain('make the header blue');
  });

  it('a follow-up by chat id works too; an unknown asset id is a clear not_found', async () => {
    const first = await createSite('a florist site');
    const { assets } = await provider.run(siteJob({ prompt: 'add a contact form', followUp: { chatId: first.site!.chatId } }), runContext().ctx);
    expect(assets[0]!.id).toBe(first.id);
    const err = await failure(provider.run(siteJob({ prompt: 'x', followUp: { assetId: '0123456789abcdef' } }), runContext().ctx));
    expect(err.code).toBe('not_found');
  });

  it('a cancelled follow-up stops the generation of its own message, not an earlier one', async () => {
    const first = await createSite('a cheese shop');
    const chatId = first.site!.chatId;
    fake.faults.pendingPolls = 1000;
    const job = siteJob({ prompt: 'add a map', followUp: { assetId: first.id } });
    const { ctx, abort } = runContext();
    const run = provider.run(job, ctx);
    const answerId = await inFlightAnswer(chatId, 4); // the follow-up's placeholder, once the message is sent
    abort('cancel');
    expect(await run.catch((e: unknown) => e)).toBeInstanceOf(JobCancelled);
    expect(stopsOf(chatId).map((s) => [s.messageId, s.status])).toEqual([[answerId, 200]]);
    const chat = (await api(fake, 'GET', `/chats/${chatId}`)).json;
    expect((chat.messages as { finishReason?: string }[]).map((m) => m.finishReason)).toEqual([undefined, 'stop', undefined, 'other']);
  });

  it('a follow-up while v0 is still generating maps the 409 to a clear conflict failure', async () => {
    const created = await api(fake, 'POST', '/chats', { message: 'a busy chat', responseMode: 'async' });
    const err = await failure(provider.run(siteJob({ prompt: 'change it', followUp: { chatId: created.json.id as string } }), runContext().ctx));
    expect(err.code).toBe('conflict');
    expect(err.message).toMatch(/still generating/);
  });

  it('imports an existing chat with every version and its files', async () => {
    const created = await api(fake, 'POST', '/chats', { message: 'a portfolio for a potter' }); // sync: completed
    const chatId = created.json.id as string;
    await api(fake, 'POST', `/chats/${chatId}/messages`, { message: 'add a gallery page' });
    const { assets } = await provider.run(siteJob({ prompt: 'import', import: { chatId } }), runContext().ctx);
    const asset = assets[0]!;
    expect(asset.id).toBe(siteAssetId(chatId));
    expect(asset.site!.versions).toHaveLength(2);
    const manifest = await manifestOf(chatId);
    expect(manifest.prompt).toBe('a portfolio for a potter');
    expect(manifest.versions.every((v) => v.filesSaved && v.files.includes('app/page.tsx'))).toBe(true);
    expect(await siteFile(chatId, manifest.versions[1]!.id, 'app/page.tsx')).toContain('add a gallery page');
    // importing again changes nothing and downloads nothing new
    const again = await provider.run(siteJob({ prompt: 'import', import: { chatId } }), runContext().ctx);
    expect(again.assets[0]!.site!.versions).toHaveLength(2);
  });

  it('an import of an unknown chat fails with not_found', async () => {
    const err = await failure(provider.run(siteJob({ prompt: 'import', import: { chatId: 'doesNotExist1' } }), runContext().ctx));
    expect(err.code).toBe('not_found');
    expect(err.message).toContain('v0 says: Chat not found');
  });
});

const stopsOf = (chatId: string) => fake.stops.filter((s) => s.chatId === chatId);

/** The id of the assistant message v0 is writing in this chat (the fake's async placeholder), once the chat has `count` messages. */
async function inFlightAnswer(chatId: string, count = 2): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const messages = (await api(fake, 'GET', `/chats/${chatId}`)).json.messages as { id: string; role: string; finishReason?: string }[];
    if (messages.length < count) {
      await new Promise((r) => setTimeout(r, 5));
      continue;
    }
    const answer = messages.at(-1)!;
    expect(answer.role).toBe('assistant');
    expect(answer.finishReason).toBeUndefined();
    return answer.id;
  }
  throw new Error(`chat ${chatId} never had ${count} messages`);
}

async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}
