import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assetIdForPath } from '../assets.js';
import { siteAssetId } from '../sites.js';
import { newestFirst, thumbAssetIdFor, thumbCacheEntry, thumbCacheKey, writeThumbnail } from './thumbnail-cache.js';

/* The cache rule the server, the worker and the storage API share. */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'orch-thumb-cache-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('thumbAssetIdFor', () => {
  it("is the output's own asset id, and the site's for a site's screenshot", () => {
    expect(thumbAssetIdFor('2030-01-01/2030-01-01_fox_1_0a1b2c3d.png')).toBe(assetIdForPath('2030-01-01/2030-01-01_fox_1_0a1b2c3d.png'));
    expect(thumbAssetIdFor('sites/chat_Abc-1/.screenshots/ver9.png')).toBe(siteAssetId('chat_Abc-1'));
    // Anything else under sites/ is a file of its own.
    expect(thumbAssetIdFor('sites/chat1/app/page.png')).toBe(assetIdForPath('sites/chat1/app/page.png'));
    expect(thumbAssetIdFor('sites/chat1/.screenshots/a/b.png')).toBe(assetIdForPath('sites/chat1/.screenshots/a/b.png'));
  });
});

describe('thumbCacheEntry / writeThumbnail', () => {
  it('keys a thumbnail by the path, size and mtime of its file, so a changed file gets a new one', () => {
    const a = thumbCacheKey('x/y.png', 10, 1000.5);
    expect(a).toMatch(/^[0-9a-f]{40}$/);
    expect(thumbCacheKey('x/y.png', 10, 1000.5)).toBe(a);
    expect(thumbCacheKey('x/y.png', 11, 1000.5)).not.toBe(a);
    expect(thumbCacheKey('x/y.png', 10, 1000.25)).not.toBe(a);
    expect(thumbCacheKey('x/z.png', 10, 1000.5)).not.toBe(a);
    const entry = thumbCacheEntry(dir, 'abcdef0123456789', 'x/y.png', { size: 10, mtimeMs: 1000.5 });
    expect(entry.file).toBe(path.join(dir, 'ab', `abcdef0123456789-${a}.webp`));
  });

  it('writes atomically (no temp file left) and never lists the shard: older versions stay for the sweep', async () => {
    const id = '0011223344556677';
    const first = thumbCacheEntry(dir, id, 'a.png', { size: 1, mtimeMs: 1 });
    const second = thumbCacheEntry(dir, id, 'a.png', { size: 2, mtimeMs: 2 });
    const other = thumbCacheEntry(dir, '0011aaaaaaaaaaaa', 'b.png', { size: 1, mtimeMs: 1 });
    await writeThumbnail(first.file, new Uint8Array([1]));
    await writeThumbnail(other.file, new Uint8Array([3]));
    await writeThumbnail(second.file, new Uint8Array([2]));
    expect((await readdir(path.join(dir, '00'))).sort()).toEqual([first.file, second.file, other.file].map((f) => path.basename(f)).sort());
    expect([...(await readFile(second.file))]).toEqual([2]);
  });

  it('orders versions newest first by mtime, whatever their names (a missing file goes last)', async () => {
    const id = '00aa223344556677';
    const [a, b] = [1, 2].map((n) => thumbCacheEntry(dir, id, 'c.png', { size: n, mtimeMs: n }).file);
    await writeThumbnail(a!, new Uint8Array([1]));
    await writeThumbnail(b!, new Uint8Array([2]));
    const hourAgo = new Date(Date.now() - 3600_000);
    await utimes(b!, hourAgo, hourAgo);
    expect(await newestFirst([b!, a!])).toEqual([a, b]);
    const gone = path.join(dir, '00', `${id}-gone.webp`);
    expect(await newestFirst([gone, b!, a!])).toEqual([a, b, gone]);
    expect(await newestFirst([a!])).toEqual([a]);
  });
});
