/*
 * STORAGE=s3: rebuilds the gallery index by listing the bucket's `output/` folder. Each media object
 * whose size or time differs from what the index holds (or that it does not hold) gets its record from
 * its JSON sidecar (prompt, seed, model, owner, creation time) and the listing (size, name); records of
 * files no longer in the bucket are removed. Only the listing is read for an unchanged object, so a
 * rescan of a large bucket costs its LIST pages, not a GET per object.
 *
 * What it does not do, unlike the disk rescan: it reads no pixels (an object's width and height come
 * from its sidecar's meta when the job recorded them) and it leaves the records of sites alone (a
 * site's record is written by the job that made it; its files stay in the bucket either way).
 */
import path from 'node:path';
import type { Redis } from 'ioredis';
import { assetIdForPath, idsOfSlots, redisKeys, assetUrls, sanitizeGenerationMeta, userNameOr, withMetaDimensions, type Asset, type S3FileStore, type S3Listed } from '@orchestrator/shared';
import type { GalleryIndexer } from './indexer.js';
import type { RescanResult } from './rescan.js';
import { SIDECAR_SUFFIX, fileRole } from './scan-rules.js';

const BATCH = 500;

function validDate(value: unknown): string | undefined {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : undefined;
}

function signature(o: S3Listed, sidecar: S3Listed | undefined): string {
  return `s3:${o.size}:${o.mtime.getTime()}:${sidecar?.mtime.getTime() ?? 0}`;
}

/** The record of a media object, from its sidecar when it has one. */
export async function objectAsset(output: S3FileStore, o: S3Listed, mediaType: { type: Asset['type']; mimeType: string }, hasSidecar: boolean): Promise<Asset> {
  const id = assetIdForPath(o.rel);
  let sidecar: { createdAt?: unknown; meta?: unknown; owner?: unknown } | undefined;
  if (hasSidecar) {
    try {
      sidecar = JSON.parse((await output.read(o.rel + SIDECAR_SUFFIX))?.toString('utf8') ?? 'null') as typeof sidecar;
    } catch {
      sidecar = undefined; // not JSON: the record goes without metadata
    }
  }
  const owner = userNameOr(sidecar?.owner);
  return withMetaDimensions({
    id,
    type: mediaType.type,
    fileName: path.posix.basename(o.rel),
    relPath: o.rel,
    size: o.size,
    mimeType: mediaType.mimeType,
    createdAt: validDate(sidecar?.createdAt) ?? o.mtime.toISOString(),
    ...assetUrls(id),
    meta: sanitizeGenerationMeta(sidecar?.meta),
    ...(owner ? { owner } : {}),
  });
}

export async function rescanBucket(redis: Redis, keyPrefix: string, indexer: GalleryIndexer, output: S3FileStore, signal?: AbortSignal): Promise<RescanResult> {
  const keys = redisKeys(keyPrefix);
  const started = performance.now();
  const objects = new Map<string, S3Listed>();
  for await (const o of output.walk()) {
    if (signal?.aborted) break;
    objects.set(o.rel, o);
  }
  const siteDirs = [...objects.keys()].filter((rel) => fileRole(rel).role === 'site').map((rel) => path.posix.dirname(rel) + '/');
  const media = [...objects.values()].filter((o) => fileRole(o.rel).role === 'media' && !siteDirs.some((d) => o.rel.startsWith(d)));
  const counts = { files: media.length, indexed: 0, removed: 0 };
  const present = new Set<string>();
  for (let i = 0; i < media.length && !signal?.aborted; i += BATCH) {
    const batch = media.slice(i, i + BATCH);
    const ids = batch.map((o) => assetIdForPath(o.rel));
    ids.forEach((id) => present.add(id));
    const known = await indexer.known(ids);
    for (const [k, o] of batch.entries()) {
      const role = fileRole(o.rel);
      if (role.role !== 'media') continue;
      const sidecar = objects.get(o.rel + SIDECAR_SUFFIX);
      const sig = signature(o, sidecar);
      if (known[k]?.signature === sig) continue;
      const asset = await objectAsset(output, o, role, sidecar !== undefined);
      await indexer.store.write(asset, { signature: sig, event: counts.indexed < 1000 });
      counts.indexed++;
    }
  }
  if (!signal?.aborted) {
    // Records whose object is gone (sites excepted: see above).
    let cursor = '0';
    do {
      const [next, flat] = await redis.zscan(keys.assetsByTime, cursor, 'COUNT', 1000);
      cursor = next;
      const slots: number[] = [];
      for (let i = 0; i < flat.length; i += 2) slots.push(Number(flat[i]));
      const ids = (await idsOfSlots(redis, keys, slots)).filter((id) => id !== '' && !present.has(id));
      for (const rec of await indexer.store.getMany(ids)) {
        if (rec.type === 'site' || objects.has(rec.relPath)) continue;
        if (await indexer.store.remove(rec.id)) counts.removed++;
      }
    } while (cursor !== '0' && !signal?.aborted);
  }
  return { ran: true, ...counts, ms: Math.round(performance.now() - started) };
}
