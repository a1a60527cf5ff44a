import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3FileStore, S3_ROOTS, parseConfig, s3ClientFor, type S3StorageConfig } from '@orchestrator/shared';
import { startFakeS3, type FakeS3 } from '../fakes/s3/index.js';

let s3: FakeS3;
let store: S3FileStore;

beforeAll(async () => {
  s3 = await startFakeS3();
  const config = parseConfig(s3.env);
  store = new S3FileStore(s3ClientFor(config.storage as S3StorageConfig), s3.bucket, S3_ROOTS.output);
});
afterAll(async () => {
  store?.client.destroy();
  await s3?.close();
});

describe('S3FileStore against a local S3 server', () => {
  it('writes, reads, sizes, lists and removes objects under its folder', async () => {
    expect(store.kind).toBe('object storage');
    await store.write('2030-01-01/a.png.json', '{"version":1}');
    await store.write('2030-01-01/a.png', new Uint8Array([1, 2, 3, 4, 5]));
    expect((await store.read('2030-01-01/a.png'))?.toString('hex')).toBe('0102030405');
    expect(await store.size('2030-01-01/a.png')).toBe(5);
    expect(await store.size('2030-01-01/none.png')).toBeNull();
    expect(await store.read('2030-01-01/none.png')).toBeNull();
    expect((await store.list('2030-01-01')).sort()).toEqual(['a.png', 'a.png.json']);
    expect(await store.list('nowhere')).toEqual([]);
    await store.remove('2030-01-01/a.png.json');
    expect(await store.list('2030-01-01')).toEqual(['a.png']);
  });

  it('streams a file up (multipart past the part size) and reads a byte range back', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'orch-s3up-'));
    try {
      const big = Buffer.alloc(9 * 1024 * 1024 + 17);
      for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
      await writeFile(path.join(dir, 'v.mp4'), big);
      await store.writeFrom('videos/v.mp4', path.join(dir, 'v.mp4'));
      expect(await store.size('videos/v.mp4')).toBe(big.length);
      const part = await store.openRange('videos/v.mp4', { start: 4096, end: 8192 });
      const chunks: Buffer[] = [];
      for await (const c of part!.body) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks)).toEqual(big.subarray(4096, 8193));
      expect(part!.info.size).toBe(big.length);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('replaces a folder with exactly the new files and refuses unsafe names', async () => {
    await store.replaceDir('sites/c1', [{ name: 'index.html', data: 'v1' }, { name: 'old.css', data: 'x' }]);
    const { refused } = await store.replaceDir('sites/c1', [{ name: 'index.html', data: 'v2' }, { name: '../escape', data: 'x' }, { name: 'js/app.js', data: 'y' }]);
    expect(refused).toEqual(['../escape']);
    expect((await store.list('sites/c1')).sort()).toEqual(['index.html', 'js']);
    expect((await store.read('sites/c1/index.html'))?.toString()).toBe('v2');
  });

  it('moves an object to another folder of the bucket and never leaves its folder', async () => {
    await store.write('m/x.png', 'x');
    const trash = store.sibling(S3_ROOTS.trash);
    expect(await store.moveTo('m/x.png', trash, 'id-1/files/x.png')).toBe(true);
    expect(await store.size('m/x.png')).toBeNull();
    expect((await trash.read('id-1/files/x.png'))?.toString()).toBe('x');
    expect(await store.moveTo('m/none.png', trash, 'id-2/files/none.png')).toBe(false);
    await expect(store.write('../uploads/evil', 'x')).rejects.toThrow(/unsafe/);
    expect(await store.read('../uploads/x')).toBeNull();
  });

  it('signs a short-lived URL that reads the object without credentials', async () => {
    await store.write('p/q.png', 'presigned');
    const url = await store.presignedUrl('p/q.png', { seconds: 60, contentType: 'image/png' });
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('presigned');
    expect(url).toMatch(/X-Amz-Expires=60/);
  });
});
