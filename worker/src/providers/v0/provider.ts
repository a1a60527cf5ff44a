import {
  buildSiteAsset,
  isV0Id,
  v0ErrorRule,
  v0RequestProblem,
  type Asset,
  type QueuedJobData,
  type V0JobRequest,
  type V0SiteVersion,
} from '@orchestrator/shared';
import { HandedBack, JobCancelled, JobFailure } from '../../errors.js';
import type { Provider, RunContext, RunResult } from '../provider.js';
import { V0ApiError, type V0Chat, type V0Client, type V0Version } from './client.js';
import { toJobError, uncertainSubmit } from './errors.js';
import { mergeVersions, newManifest, versionEntry, type ManifestSeed } from './manifest.js';
import { DEFAULT_POLL_TUNING, waitForVersion, type PollTuning } from './poll.js';
import type { SiteWriter } from './site-writer.js';
import { V0Generation, stopGeneration } from './stop.js';
import type { V0TaskStore } from './task-store.js';
import type { OutputThumbnails } from '../../storage/output-thumbnails.js';
import type { InputImageSources } from '../../storage/input-image.js';
import { attachmentUrls } from './attachments.js';

/*
 * One site job on v0: create a chat (async) or send a follow-up message to one, wait for the new
 * version, save its files and screenshot, and return the chat's one site asset with the version
 * appended; or import an existing chat's versions. What was sent is recorded at once (task store, and
 * the chat's metadata) so a retried job follows the same generation instead of paying for another.
 * A cancelled create or follow-up stops its generation on v0 (stop.ts); an import started none to stop.
 */

export interface V0Tuning extends PollTuning {
  /** An import downloads the files of this many newest completed versions; older ones are listed only. */
  importFileVersions: number;
  /** An import lists at most this many versions. */
  importMaxVersions: number;
  /** On a cancel, how long stopping the generation on v0 may take before the job ends cancelled anyway. */
  stopTimeoutMs: number;
}

export const DEFAULT_V0_TUNING: V0Tuning = { ...DEFAULT_POLL_TUNING, importFileVersions: 10, importMaxVersions: 200, stopTimeoutMs: 3000 };

export interface V0ProviderDeps {
  client: V0Client;
  writer: SiteWriter;
  tasks: V0TaskStore;
  tuning?: Partial<V0Tuning>;
  now?: () => Date;
  /** Where the site's thumbnail (its newest screenshot's) goes before the job completes (none: the server makes it when asked). */
  thumbnails?: OutputThumbnails;
  /** Where a message's pictures (`attachments`: upload or gallery image ids) are read from. */
  images?: InputImageSources;
}

/** Metadata key on chats we create: finds the chat of a job whose worker died before recording it. */
export const JOB_ID_METADATA = 'orchestratorJobId';

export class V0Provider implements Provider {
  private readonly t: V0Tuning;
  private readonly now: () => Date;

  constructor(private readonly d: V0ProviderDeps) {
    this.t = { ...DEFAULT_V0_TUNING, ...d.tuning };
    this.now = d.now ?? (() => new Date());
  }

  async run(job: QueuedJobData, ctx: RunContext): Promise<RunResult> {
    const request = job.request;
    if (request.provider !== 'v0') throw new JobFailure('invalid_job', `The v0 worker cannot run a ${request.provider} job`);
    const problem = v0RequestProblem(request);
    if (problem) throw new JobFailure('invalid_job', `Invalid job at ${problem.path}: ${problem.message}`);
    const generation = new V0Generation();
    try {
      const asset = request.deploy
        ? await this.deploy(job.id, request.deploy, ctx)
        : request.import
        ? await this.importChat(job.id, request.import.chatId, ctx)
        : request.followUp
          ? await this.followUp(job.id, request, ctx, generation)
          : await this.create(job.id, request, ctx, generation);
      await this.d.tasks.clear(job.id).catch(() => undefined);
      return { assets: [asset], backend: 'v0' };
    } catch (err) {
      const e = toJobError(err, ctx.signal, 'waiting for v0');
      if (e instanceof JobCancelled) {
        await stopGeneration(generation, {
          client: this.d.client,
          log: ctx.log,
          timeoutMs: this.t.stopTimeoutMs,
          findChat: (signal) => this.findChatOfJob(job.id, signal),
        });
      }
      if (!(e instanceof HandedBack)) await this.d.tasks.clear(job.id).catch(() => undefined);
      throw e;
    }
  }

  private async step<T>(ctx: RunContext, what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toJobError(err, ctx.signal, what);
    }
  }

  private async create(jobId: string, request: V0JobRequest, ctx: RunContext, gen: V0Generation): Promise<Asset> {
    const { client, tasks } = this.d;
    let chatId = (await tasks.get(jobId))?.chatId ?? (ctx.attempt > 1 ? await this.chatOfJob(jobId, ctx) : null);
    if (chatId) {
      ctx.log.info({ chatId }, 'following the v0 chat an earlier attempt created');
      gen.track(chatId, { messagesBefore: 0 });
    } else {
      ctx.progress({ percent: 1, message: 'Asking v0 to build the site…' });
      const input = { message: request.prompt, ...(await this.generation(request)), metadata: { [JOB_ID_METADATA]: jobId } };
      gen.requested = true; // from here on, a cancel may leave a generation running on v0
      const chat = await client.createChat(input, ctx.signal).catch((err: unknown) => {
        throw uncertainSubmit(err, ctx.signal, 'creating the v0 chat');
      });
      chatId = checkedId(chat.id, 'chat');
      gen.track(chatId, { messagesBefore: 0 });
      gen.observe(chat);
      await tasks.set(jobId, { chatId, messagesBefore: 0 });
      ctx.log.info({ chatId }, 'v0 chat created');
    }
    const id = chatId;
    const { chat, version } = await this.step(ctx, 'waiting for v0', () => waitForVersion(client, id, this.waitOptions(ctx, { messagesBefore: 0 }, gen)));
    const seed = { prompt: request.prompt, ...(request.systemPrompt ? { systemPrompt: request.systemPrompt } : {}), ...(request.model ? { model: request.model } : {}), jobId, ...ownerOf(ctx) };
    return this.finish(chat, version, seed, request.prompt, ctx);
  }

  private async followUp(jobId: string, request: V0JobRequest, ctx: RunContext, gen: V0Generation): Promise<Asset> {
    const { client, tasks, writer } = this.d;
    const target = request.followUp!;
    const chatId = target.chatId ?? (target.assetId ? await writer.chatIdOfAsset(target.assetId) : null);
    if (!chatId) throw new JobFailure('not_found', `No site with asset id ${target.assetId ?? '?'} (it may have been deleted)`);
    if (target.chatId && target.assetId && (await writer.chatIdOfAsset(target.assetId)) !== target.chatId) {
      throw new JobFailure('invalid_job', `Site ${target.assetId} is not the site of v0 chat ${target.chatId}`);
    }
    let rec = await tasks.get(jobId);
    const before = await this.step(ctx, 'reading the v0 chat', () => client.getChat(chatId, ctx.signal));
    const sent = rec !== null && (before.messages.length > (rec.messagesBefore ?? 0) || before.latestVersion?.id !== rec.previousVersionId);
    if (!rec || !sent) {
      // Read before anything is recorded or sent: a missing picture fails the job with nothing sent.
      const generation = await this.generation(request);
      rec = { chatId, messagesBefore: before.messages.length, ...(before.latestVersion ? { previousVersionId: before.latestVersion.id } : {}) };
      await tasks.set(jobId, rec);
      ctx.progress({ percent: 1, message: 'Sending the change to v0…' });
      gen.track(chatId, rec);
      const reply = await client.sendMessage(chatId, { message: request.prompt, ...generation }, ctx.signal).catch((err: unknown) => {
        throw uncertainSubmit(err, ctx.signal, 'sending the change to v0');
      });
      gen.observe(reply);
    } else gen.track(chatId, rec);
    const wait = this.waitOptions(ctx, { messagesBefore: rec.messagesBefore ?? 0, ...(rec.previousVersionId ? { previousVersionId: rec.previousVersionId } : {}) }, gen);
    const { chat, version } = await this.step(ctx, 'waiting for v0', () => waitForVersion(client, chatId, wait));
    return this.finish(chat, version, { jobId, ...ownerOf(ctx) }, request.prompt, ctx);
  }

  /** Deploys a saved version to Vercel (v0's deployments API); the deployment's URL goes on the version in the manifest. */
  private async deploy(jobId: string, target: { chatId: string; versionId: string }, ctx: RunContext): Promise<Asset> {
    const { client, writer } = this.d;
    const { chatId, versionId } = target;
    if (!(await writer.readManifest(chatId))?.versions.some((v) => v.id === versionId)) {
      throw new JobFailure('not_found', `Version ${versionId} of v0 chat ${chatId} is not saved here: import the chat first`);
    }
    ctx.progress({ percent: 5, message: 'Asking v0 to deploy this version to Vercel…' });
    const d = await client.createDeployment(chatId, versionId, ctx.signal).catch((err: unknown) => {
      // v0's own words say what is wrong with a deployment (no Vercel integration, a plan limit): say them first.
      if (err instanceof V0ApiError && err.status >= 400 && err.status < 500 && err.status !== 429 && err.v0Message && !ctx.signal.aborted) {
        throw new JobFailure(v0ErrorRule(err.status).code, `v0 refused the deployment: ${err.v0Message}`, { status: err.status, ...(err.v0Type ? { type: err.v0Type } : {}) });
      }
      throw uncertainSubmit(err, ctx.signal, 'deploying the version on v0');
    });
    ctx.log.info({ chatId, versionId, deploymentId: d.id }, 'v0 deployment created');
    ctx.progress({ percent: 95, message: `Deployed: ${d.webUrl}` });
    return writer.withChat(chatId, async () => {
      const manifest = await writer.readManifest(chatId);
      if (!manifest) throw new JobFailure('not_found', `The site of v0 chat ${chatId} was deleted while deploying (deployment ${d.webUrl})`);
      const now = this.now();
      const deployment = { id: d.id, url: d.webUrl, ...(d.inspectorUrl ? { inspectorUrl: d.inspectorUrl } : {}), deployedAt: now.toISOString(), jobId };
      const next = { ...manifest, updatedAt: now.toISOString(), versions: manifest.versions.map((v) => (v.id === versionId ? { ...v, deployment } : v)) };
      const size = await writer.writeManifest(next);
      return buildSiteAsset(next, { size, jobId });
    });
  }

  /** Saves an existing chat: waits out a pending version, then lists its versions and saves the newest few. */
  private async importChat(jobId: string, chatId: string, ctx: RunContext): Promise<Asset> {
    const { client, writer } = this.d;
    let chat = await this.step(ctx, 'reading the v0 chat', () => client.getChat(chatId, ctx.signal));
    if (!chat.latestVersion) throw new JobFailure('no_outputs', `v0 chat ${chatId} has no versions yet: nothing to import`);
    if (chat.latestVersion.status === 'pending') {
      const messagesBefore = chat.messages.length;
      ({ chat } = await this.step(ctx, 'waiting for v0', () => waitForVersion(client, chatId, this.waitOptions(ctx, { messagesBefore }))));
    }
    checkedId(chat.id, 'chat');
    const listed = await this.step(ctx, 'listing the chat’s versions', () => this.listVersions(chatId, ctx));
    const existing = await writer.readManifest(chatId);
    const saved = new Set(existing?.versions.filter((v) => v.filesSaved).map((v) => v.id));
    const entries: V0SiteVersion[] = [];
    let downloads = 0;
    for (const [i, v] of listed.entries()) {
      checkedId(v.id, 'version');
      const fetchFiles = v.status === 'completed' && downloads < this.t.importFileVersions && !saved.has(v.id);
      if (!fetchFiles) {
        entries.push(versionEntry(v));
        continue;
      }
      downloads++;
      ctx.progress({ percent: Math.min(95, 10 + Math.round((80 * i) / listed.length)), message: `Saving version ${i + 1} of ${listed.length}…` });
      const detail = await this.step(ctx, 'downloading a version', () => client.getVersion(chatId, v.id, ctx.signal));
      entries.push(await this.saveFiles(chatId, detail, {}, ctx));
    }
    return this.writeManifest(chat, { jobId, ...ownerOf(ctx) }, entries);
  }

  private async listVersions(chatId: string, ctx: RunContext): Promise<V0Version[]> {
    const out: V0Version[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.d.client.findVersions(chatId, { limit: 100, ...(cursor ? { cursor } : {}) }, ctx.signal);
      out.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor && out.length < this.t.importMaxVersions);
    return out.slice(0, this.t.importMaxVersions);
  }

  private async finish(chat: V0Chat, version: V0Version, seed: ManifestSeed, message: string, ctx: RunContext): Promise<Asset> {
    checkedId(chat.id, 'chat');
    checkedId(version.id, 'version');
    if (version.status === 'failed') {
      const said = [...chat.messages].reverse().find((m) => m.role === 'assistant')?.content;
      throw new JobFailure('execution_error', `v0 could not generate this version (it ended "failed")${said ? `: ${said.slice(0, 300)}` : ''}`, {
        chatId: chat.id,
        versionId: version.id,
      });
    }
    ctx.progress({ percent: 96, message: 'Saving the site files…' });
    let detail = version;
    if (!version.files?.length) detail = await this.step(ctx, 'downloading the version', () => this.d.client.getVersion(chat.id, version.id, ctx.signal));
    const demoUrl = detail.demoUrl ?? version.demoUrl ?? chat.demo;
    const entry = await this.saveFiles(chat.id, { ...detail, ...(demoUrl ? { demoUrl } : {}) }, { message, jobId: seed.jobId }, ctx);
    return this.writeManifest(chat, seed, [entry]);
  }

  private async saveFiles(chatId: string, v: V0Version, extra: Partial<V0SiteVersion>, ctx: RunContext): Promise<V0SiteVersion> {
    const written = await this.d.writer.writeVersion(chatId, v.id, Array.isArray(v.files) ? v.files : []);
    if (written.refused.length > 0) ctx.log.warn({ chatId, versionId: v.id, refused: written.refused.slice(0, 20) }, 'v0 file names refused');
    const shot = v.screenshotUrl ? await this.d.writer.saveScreenshot(chatId, v.id, v.screenshotUrl, ctx.signal) : null;
    return versionEntry(v, {
      files: written.files,
      filesSaved: true,
      ...(written.refused.length > 0 ? { refusedFiles: written.refused } : {}),
      ...(shot ? { screenshot: shot } : {}),
      ...extra,
    });
  }

  private async writeManifest(chat: V0Chat, seed: ManifestSeed, entries: V0SiteVersion[]): Promise<Asset> {
    const { writer } = this.d;
    const asset = await writer.withChat(chat.id, async () => {
      const now = this.now();
      const manifest = mergeVersions((await writer.readManifest(chat.id)) ?? newManifest(chat, seed, now), entries, now);
      const size = await writer.writeManifest(manifest);
      return buildSiteAsset(manifest, { size, jobId: seed.jobId });
    });
    await this.siteThumbnail(asset, entries);
    return asset;
  }

  /**
   * The site's thumbnail is its newest screenshot's: made and filed before the job completes when this job
   * saved that screenshot (never failing the job: the server makes it when asked otherwise).
   */
  private async siteThumbnail(asset: Asset, entries: V0SiteVersion[]): Promise<void> {
    const shot = asset.screenshot;
    if (!shot || !this.d.thumbnails || !entries.some((e) => e.screenshot === shot)) return;
    const bytes = await this.d.writer.readFile(shot).catch(() => null);
    if (bytes) await this.d.thumbnails.begin({ bytes }).finish(shot);
  }

  /** The chat an earlier attempt of this job created, found by the metadata we set on it. */
  private chatOfJob(jobId: string, ctx: RunContext): Promise<string | null> {
    return this.step(ctx, 'looking for the chat of an earlier attempt', () => this.findChatOfJob(jobId, ctx.signal));
  }

  private async findChatOfJob(jobId: string, signal: AbortSignal): Promise<string | null> {
    const chats = await this.d.client.findChats({ limit: 5, offset: 0, metadata: { [JOB_ID_METADATA]: jobId } }, signal);
    const mine = chats.find((c) => c.metadata?.[JOB_ID_METADATA] === jobId);
    return mine ? checkedId(mine.id, 'chat') : null;
  }

  /** The message's options: system prompt, model, and its pictures as data URIs. */
  private async generation(request: V0JobRequest): Promise<{ system?: string; modelId?: string; attachments?: { url: string }[] }> {
    const attachments = await attachmentUrls(request.attachments, this.d.images);
    return {
      ...(request.systemPrompt ? { system: request.systemPrompt } : {}),
      ...(request.model ? { modelId: request.model } : {}),
      ...(attachments.length > 0 ? { attachments } : {}),
    };
  }

  private waitOptions(ctx: RunContext, o: { messagesBefore: number; previousVersionId?: string }, gen?: V0Generation) {
    return { ...o, signal: ctx.signal, progress: ctx.progress.bind(ctx), tuning: this.t, ...(gen ? { onChat: (chat: V0Chat) => gen.observe(chat) } : {}) };
  }
}

/** v0's ids become folder names: anything but [A-Za-z0-9_-] is refused. */
function checkedId(id: string, what: 'chat' | 'version'): string {
  if (typeof id !== 'string' || !isV0Id(id)) throw new JobFailure('provider_error', `v0 returned a ${what} id that is not safe to use as a folder name`);
  return id;
}

function ownerOf(ctx: RunContext): { owner?: string } {
  return ctx.owner ? { owner: ctx.owner } : {};
}
