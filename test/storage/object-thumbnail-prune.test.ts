import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3FileStore, S3_ROOTS, parseConfig, s3ClientFor, s3ThumbRelPath, type S3StorageConfig } from '@orchestrator/shared';
import { ObjectThumbnailPruner } from '../../server/src/gallery/object-thumbnail-prune.js';
import { startFakeS3, type FakeS3 } from '../fakes/s3/index.js';

/* The sweep in STORAGE=s3, against a real S3 protocol server: what goes from the bucket's `thumbs/`. */

let s3: FakeS3;
let thumbs: S3FileStore;
const ids = { inGallery: 'bb00000000000001', inTrash: 'bb00000000000002', gone: 'bb00000000000003' };
const WEBP = new Uint8Array([0x52, 0x49, 0x46, 0x46]);

beforeAll(async () => {
  s3 = await startFakeS3();
  thumbs = new S3FileStore(s3ClientFor(parseConfig(s3.env).storage as S3StorageConfig), s3.bucket, S3_ROOTS.thumbs);
  for (const id of Object.values(ids)) await thumbs.write(s3ThumbRelPath(id), WEBP);
  await thumbs.write(`webp-256-old-recipe/${ids.inGallery}.webp`, WEBP); // a former recipe's folder
  await thumbs.write('stray.txt', 'not a thumbnail');
});
afterAll(async () => {
  thumbs?.client.destroy();
  await s3?.close();
});

async function listed(): Promise<string[]> {
  const rels: string[] = [];
  for await (const o of thumbs.walk()) rels.push(o.rel);
  return rels.sort();
}

describe('ObjectThumbnailPruner', () => {
  it('keeps everything younger than an hour', async () => {
    const before = await listed();
    expect(await new ObjectThumbnailPruner(thumbs).prune(async (asked) => new Set(asked))).toBe(0);
    expect(await listed()).toEqual(before);
  });

  it('deletes thumbnails of gone assets and of other recipes, asking about each current thumbnail once', async () => {
    const asked: string[] = [];
    const liveOf = async (batch: readonly string[]) => {
      asked.push(...batch);
      return new Set(batch.filter((id) => id !== ids.gone));
    };
    expect(await new ObjectThumbnailPruner(thumbs, 0).prune(liveOf)).toBe(3);
    expect(asked.sort()).toEqual(Object.values(ids).sort());
    expect(await listed()).toEqual([s3ThumbRelPath(ids.inGallery), s3ThumbRelPath(ids.inTrash)].sort());
  });
});
