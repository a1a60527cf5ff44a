import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  SITES_DIR,
  isV0Id,
  parseSiteManifest,
  safeSiteFileName,
  siteAssetId,
  siteManifestRelPath,
  siteVersionRelDir,
  designEditProblem,
  designImageKey,
  type Config,
  type DesignEdit,
  type Job,
  type V0JobRequest,
  type V0Model,
  type V0SiteManifest,
  type V0SiteVersion,
} from '@orchestrator/shared';
import { forbidden } from '../auth/auth-service.js';
import { mayManage, type Principal } from '../auth/principal.js';
import { HttpError, badRequest, notFound } from '../errors.js';
import { resolveInside } from '../files/safe-path.js';
import type { JobService } from '../jobs/job-service.js';
import type { ObjectFiles } from '../storage/object-files.js';
import type { SiteAttachments } from './attachments.js';
import { designEditMessage, type AttachedPicture } from './design-edits.js';
import { listV0Chats, type V0ChatListItem } from './v0-chats.js';

/*
 * Sites made with v0: the saved manifests and files under OUTPUT_PATH/sites (read only, every path
 * resolved inside its folder), the user's v0 chats for importing, and the jobs that create, change or
 * import a site (through JobService, like any other job). The v0 key stays in here: nothing returned
 * carries it.
 */

/** Largest saved file served as text, and largest total of a version served by the legacy artifact route. */
export const MAX_TEXT_FILE_BYTES = 5 * 1024 * 1024;
export const MAX_ARTIFACT_BYTES = 20 * 1024 * 1024;
/** A follow-up message's limit (the v0 job request's prompt). */
const MAX_FOLLOW_UP_CHARS = 20000;

export interface GenerationOptions {
  systemPrompt?: string | undefined;
  model?: V0Model | undefined;
  /** Prepared pictures (SiteAttachments) sent with the message as v0 attachments. */
  attachments?: readonly string[] | undefined;
}

export class SiteService {
  constructor(
    private readonly config: Pick<Config, 'outputPath' | 'v0ApiKey' | 'v0ApiUrl'>,
    private readonly jobs: JobService,
    /** STORAGE=s3: saved sites are read from the bucket's `output/` (same layout). */
    private readonly objects: ObjectFiles | null = null,
    /** Design edits' pictures (none: edits with a picture are refused). */
    private readonly attachments: SiteAttachments | null = null,
  ) {}

  private requireKey(): string {
    const key = this.config.v0ApiKey;
    if (!key) throw badRequest('provider_not_configured', 'v0 is not configured: set V0_API_KEY (on the server and the workers)');
    return key;
  }

  /** A page of the user's v0 chats; v0 gives no total, so a full page means "there may be more". */
  async listChats(limit: number, offset: number): Promise<{ items: (V0ChatListItem & { assetId: string; imported: boolean })[]; nextOffset?: number }> {
    const apiKey = this.requireKey();
    const chats = await listV0Chats({ baseUrl: this.config.v0ApiUrl, apiKey, limit, offset });
    const items = await Promise.all(
      chats.map(async (c) => {
        const saved = !isV0Id(c.id)
          ? false
          : this.objects
            ? (await this.objects.output.stat(siteManifestRelPath(c.id))) !== null
            : ((await stat(path.join(this.config.outputPath, siteManifestRelPath(c.id))).catch(() => null))?.isFile() ?? false);
        return { ...c, assetId: isV0Id(c.id) ? siteAssetId(c.id) : '', imported: saved };
      }),
    );
    return { items, ...(chats.length >= limit ? { nextOffset: offset + limit } : {}) };
  }

  /** The chat of a site asset (asset ids hash the manifest path, so the folders are asked). */
  async chatIdOf(assetId: string): Promise<string> {
    const names = this.objects ? await this.objects.output.list(SITES_DIR) : await readdir(path.join(this.config.outputPath, SITES_DIR)).catch(() => [] as string[]);
    const chatId = names.find((n) => isV0Id(n) && siteAssetId(n) === assetId);
    if (!chatId) throw notFound('site', assetId);
    return chatId;
  }

  async manifestOfChat(chatId: string): Promise<V0SiteManifest | null> {
    if (!isV0Id(chatId)) return null;
    if (this.objects) {
      const raw = await this.objects.output.read(siteManifestRelPath(chatId));
      return raw === null ? null : parseSiteManifest(raw.toString('utf8'));
    }
    const real = await resolveInside(this.config.outputPath, siteManifestRelPath(chatId)).catch(() => null);
    const raw = real ? await readFile(real, 'utf8').catch(() => null) : null;
    return raw === null ? null : parseSiteManifest(raw);
  }

  async manifest(assetId: string): Promise<V0SiteManifest> {
    const m = await this.manifestOfChat(await this.chatIdOf(assetId));
    if (!m) throw notFound('site', assetId);
    return m;
  }

  notSaved(chatId: string): HttpError {
    return new HttpError('not_found', `v0 chat ${chatId} is not saved here: import it first (POST /api/sites/import)`);
  }

  version(manifest: V0SiteManifest, versionId: string): V0SiteVersion {
    const v = manifest.versions.find((x) => x.id === versionId);
    if (!v) throw new HttpError('not_found', `Site ${manifest.chatId} has no version "${versionId}"`);
    return v;
  }

  /** A saved file's text. Only names the manifest lists, resolved inside the version folder (after symlinks). */
  async fileText(manifest: V0SiteManifest, versionId: string, name: string): Promise<string> {
    const v = this.version(manifest, versionId);
    const safe = safeSiteFileName(name);
    if (safe === null) throw badRequest('invalid_path', 'That file name is not allowed (absolute, "..", or control characters)');
    if (!v.files.includes(safe)) throw new HttpError('not_found', `Version ${versionId} has no saved file "${safe.slice(0, 200)}"`);
    const dir = siteVersionRelDir(manifest.chatId, versionId);
    if (this.objects) {
      const info = await this.objects.output.stat(`${dir}/${safe}`);
      if (!info) throw new HttpError('not_found', 'No such file');
      if (info.size > MAX_TEXT_FILE_BYTES) throw new HttpError('too_large', 'The file is too large to show as text');
      return (await this.objects.output.read(`${dir}/${safe}`))?.toString('utf8') ?? '';
    }
    const real = await resolveInside(this.config.outputPath, `${dir}/${safe}`);
    const realDir = await resolveInside(this.config.outputPath, dir);
    if (!real.startsWith(realDir + path.sep)) throw new HttpError('forbidden', 'That path is outside the site folder');
    const st = await stat(real);
    if (!st.isFile()) throw new HttpError('not_found', 'No such file');
    if (st.size > MAX_TEXT_FILE_BYTES) throw new HttpError('too_large', 'The file is too large to show as text');
    return readFile(real, 'utf8');
  }

  /** Every saved file of a version with its text (the legacy artifact route), within a total size. */
  async versionFiles(manifest: V0SiteManifest, versionId: string): Promise<{ name: string; content: string }[]> {
    const v = this.version(manifest, versionId);
    const out: { name: string; content: string }[] = [];
    let total = 0;
    for (const name of v.files) {
      const content = await this.fileText(manifest, versionId, name).catch(() => null);
      if (content === null) continue;
      total += Buffer.byteLength(content);
      if (total > MAX_ARTIFACT_BYTES) throw new HttpError('too_large', 'This version is too large to return at once; fetch its files one by one');
      out.push({ name, content });
    }
    return out;
  }

  create(prompt: string, o: GenerationOptions = {}, by?: Principal): Promise<Job> {
    this.requireKey();
    return this.submit({ prompt, ...generation(o) }, by);
  }

  /** A new version of a site; in team mode only its owner (or an admin) may change it. */
  async followUp(target: { assetId?: string | undefined; chatId?: string | undefined }, message: string, o: GenerationOptions = {}, by?: Principal): Promise<Job> {
    this.requireKey();
    const chatId = target.assetId ? await this.chatIdOf(target.assetId) : target.chatId;
    if (!chatId) throw badRequest('validation_failed', 'Say which site to change: assetId or chatId');
    if (target.chatId && target.chatId !== chatId) throw badRequest('validation_failed', `Site ${target.assetId} is not the site of v0 chat ${target.chatId}`);
    if (by) {
      const owner = (await this.manifestOfChat(chatId))?.owner;
      if (!mayManage(by, owner)) throw forbidden(`The site of v0 chat ${chatId} is ${owner ? `${owner}'s` : 'not yours'}: only its owner or an admin may change it`);
    }
    return this.submit({ prompt: message, ...generation(o), followUp: { ...(target.assetId ? { assetId: target.assetId } : {}), chatId } }, by);
  }

  /** A Vercel deployment of a completed version, through v0's deployments API (a job: the URL lands on the manifest). */
  async deploy(assetId: string, versionId: string, by?: Principal): Promise<Job> {
    this.requireKey();
    const manifest = await this.manifest(assetId);
    const v = this.version(manifest, versionId);
    if (v.status !== 'completed') throw new HttpError('conflict', `Version ${versionId} is ${v.status}: only a completed version can be deployed`);
    this.mayChange(manifest, by);
    return this.submit({ prompt: `Deploy version ${versionId} of v0 chat ${manifest.chatId}`, deploy: { chatId: manifest.chatId, versionId } }, by);
  }

  /** Design-mode edits as one follow-up whose message lists each change (design-edits.ts). */
  async designEdits(assetId: string, versionId: string, edits: readonly DesignEdit[], by?: Principal): Promise<Job> {
    this.requireKey();
    const problem = designEditProblem(edits);
    if (problem) throw badRequest('validation_failed', `Invalid design edit at ${problem.path}: ${problem.message}`, [problem]);
    const manifest = await this.manifest(assetId);
    const v = this.version(manifest, versionId);
    if (v.status !== 'completed') throw new HttpError('conflict', `Version ${versionId} is ${v.status}: edit a completed version`);
    this.mayChange(manifest, by);
    const { pictures, ids } = await this.pictures(edits);
    const files = v.filesSaved ? await this.versionFiles(manifest, versionId).catch(() => []) : [];
    const message = designEditMessage(versionId, edits, files, pictures);
    if (message.length > MAX_FOLLOW_UP_CHARS) {
      throw new HttpError('too_large', `These edits make a ${message.length}-character message; v0 takes at most ${MAX_FOLLOW_UP_CHARS}: apply fewer or shorter edits at once`);
    }
    return this.followUp({ assetId }, message, ids.length > 0 ? { attachments: ids } : {}, by);
  }

  /** Each different picture of the edits, made ready to attach (numbered in order of first use), and the job's attachment ids. */
  private async pictures(edits: readonly DesignEdit[]): Promise<{ pictures: (AttachedPicture | undefined)[]; ids: string[] }> {
    const byKey = new Map<string, AttachedPicture>();
    const ids: string[] = [];
    const pictures: (AttachedPicture | undefined)[] = [];
    for (const e of edits) {
      if (!e.image) {
        pictures.push(undefined);
        continue;
      }
      const key = designImageKey(e.image);
      let picture = byKey.get(key);
      if (!picture) {
        if (!this.attachments) throw badRequest('validation_failed', 'This server cannot send pictures to v0');
        const ready = await this.attachments.prepare(e.image);
        ids.push(ready.id);
        picture = { n: ids.length, name: ready.name };
        byKey.set(key, picture);
      }
      pictures.push(picture);
    }
    return { pictures, ids };
  }

  private mayChange(manifest: V0SiteManifest, by: Principal | undefined): void {
    if (by && !mayManage(by, manifest.owner)) {
      throw forbidden(`The site of v0 chat ${manifest.chatId} is ${manifest.owner ? `${manifest.owner}'s` : 'not yours'}: only its owner or an admin may change it`);
    }
  }

  importChat(chatId: string, by?: Principal): Promise<Job> {
    this.requireKey();
    return this.submit({ prompt: `Import of v0 chat ${chatId}`, import: { chatId } }, by);
  }

  private submit(request: Omit<V0JobRequest, 'provider' | 'kind'>, by: Principal | undefined): Promise<Job> {
    return this.jobs.submit({ provider: 'v0', kind: 'site', ...request }, undefined, by);
  }
}

function generation(o: GenerationOptions): Pick<V0JobRequest, 'systemPrompt' | 'model' | 'attachments'> {
  return {
    ...(o.systemPrompt ? { systemPrompt: o.systemPrompt } : {}),
    ...(o.model ? { model: o.model } : {}),
    ...(o.attachments?.length ? { attachments: [...o.attachments] } : {}),
  };
}
