import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalFileStore, V0_ATTACHMENT_MAX_BYTES } from '@orchestrator/shared';
import { JobFailure } from '../../errors.js';
import { attachmentUrls } from './attachments.js';

/* A job's attachment ids → v0's `attachments: [{url}]` as data URIs, read through the worker's stores. */

let dir: string;
let roots: { uploads: LocalFileStore; output: LocalFileStore };
const UPLOAD = '0f0f0f0f-0000-4000-8000-000000000001';
const BIG = '0f0f0f0f-0000-4000-8000-000000000002';
const TEXT = '0f0f0f0f-0000-4000-8000-000000000003';
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de', 'hex');

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'orch-v0-attachments-'));
  await writeFile(path.join(dir, `${UPLOAD}.png`), PNG);
  await writeFile(path.join(dir, `${BIG}.png`), Buffer.concat([PNG, Buffer.alloc(V0_ATTACHMENT_MAX_BYTES)]));
  await writeFile(path.join(dir, `${TEXT}.png`), 'not a picture at all');
  roots = { uploads: new LocalFileStore(dir), output: new LocalFileStore(path.join(dir, 'out')) };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('v0 attachments', () => {
  it('sends each picture as a data URI of its sniffed type, in order; none for no ids', async () => {
    expect(await attachmentUrls(undefined, roots)).toEqual([]);
    expect(await attachmentUrls([UPLOAD, UPLOAD], roots)).toEqual([
      { url: `data:image/png;base64,${PNG.toString('base64')}` },
      { url: `data:image/png;base64,${PNG.toString('base64')}` },
    ]);
  });

  it('fails the job (invalid_input) for a missing picture, one over the size limit, or one that is not an image', async () => {
    for (const [ids, message] of [
      [[UPLOAD, '0f0f0f0f-0000-4000-8000-0000000000ff'], /Attachment 2: no upload or gallery image/],
      [[BIG], /Attachment 1 \(.*\) is larger than the 750 KB a picture sent to v0 may be/],
      [[TEXT], /Attachment 1 .* is not a PNG, JPEG or WebP image/],
    ] as const) {
      const err = await attachmentUrls(ids, roots).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(JobFailure);
      expect(err).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(message) });
    }
    await expect(attachmentUrls([UPLOAD], undefined)).rejects.toThrow(/cannot read pictures/);
  });
});
