import type { V0SiteManifest, V0SiteVersion } from '@orchestrator/shared';
import type { V0Chat, V0Version } from './client.js';

/*
 * Building and merging the site manifest (pure): one manifest per chat, versions oldest first, each
 * version listed once (a later write of the same version wins, except that saved files are never
 * forgotten by a listing that did not download them).
 */

export interface ManifestSeed {
  /** The chat's first prompt, when this job knows it (a create); else taken from the chat. */
  prompt?: string;
  systemPrompt?: string;
  model?: string;
  jobId: string;
  /** Team mode: who started the chat here (kept by later versions). */
  owner?: string;
}

export function newManifest(chat: V0Chat, seed: ManifestSeed, now: Date): V0SiteManifest {
  const firstUser = chat.messages.find((m) => m.role === 'user')?.content;
  const prompt = seed.prompt ?? chat.text ?? firstUser ?? chat.name ?? chat.id;
  const model = seed.model ?? chat.modelConfiguration?.modelId;
  return {
    version: 1,
    chatId: chat.id,
    ...(chat.name ? { title: chat.name } : {}),
    webUrl: chat.webUrl,
    prompt,
    ...(seed.systemPrompt ? { systemPrompt: seed.systemPrompt } : {}),
    ...(model ? { model } : {}),
    createdAt: chat.createdAt ?? now.toISOString(),
    updatedAt: now.toISOString(),
    ...(seed.owner ? { owner: seed.owner } : {}),
    meta: { provider: 'v0', prompt, ...(model ? { model } : {}), jobId: seed.jobId },
    versions: [],
  };
}

/**
 * A manifest entry for a version v0 reported (files filled in by the caller when saved). A version
 * without a readable date gets the time it was first seen: records and their order need one.
 */
export function versionEntry(v: V0Version, extra: Partial<V0SiteVersion> = {}, now = new Date()): V0SiteVersion {
  return {
    id: v.id,
    status: v.status,
    createdAt: typeof v.createdAt === 'string' && Number.isFinite(Date.parse(v.createdAt)) ? v.createdAt : now.toISOString(),
    ...(v.updatedAt ? { updatedAt: v.updatedAt } : {}),
    ...(v.demoUrl ? { demoUrl: v.demoUrl } : {}),
    files: [],
    filesSaved: false,
    ...extra,
  };
}

export function mergeVersions(manifest: V0SiteManifest, entries: readonly V0SiteVersion[], now: Date): V0SiteManifest {
  const byId = new Map(manifest.versions.map((v) => [v.id, v] as const));
  for (const entry of entries) {
    const old = byId.get(entry.id);
    byId.set(entry.id, old?.filesSaved && !entry.filesSaved ? { ...entry, ...pickSaved(old) } : { ...old, ...entry });
  }
  const versions = [...byId.values()].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  return { ...manifest, updatedAt: now.toISOString(), versions };
}

function pickSaved(v: V0SiteVersion): Partial<V0SiteVersion> {
  return {
    files: v.files,
    filesSaved: true,
    ...(v.screenshot ? { screenshot: v.screenshot } : {}),
    ...(v.refusedFiles ? { refusedFiles: v.refusedFiles } : {}),
    ...(v.message ? { message: v.message } : {}),
    ...(v.jobId ? { jobId: v.jobId } : {}),
    ...(v.deployment ? { deployment: v.deployment } : {}),
  };
}
