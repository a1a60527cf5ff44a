import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { assetIdForPath, crc32, type Job, type SiteDetail } from '@orchestrator/shared';
import { startStack, waitFor, type Stack } from '../harness/stack.js';
import { startFakeV0, type FakeV0 } from '../fakes/v0/index.js';
import { encodePng } from '../fakes/comfyui/png.js';

/*
 * Design mode's pictures through the whole product (server, worker, Redis, the v0 fake): an uploaded
 * picture or a gallery image replacing a site's image travels to v0 as a message attachment (a data URI,
 * never a URL of ours), the message says which attachment replaces which src, and the new version shows
 * the picture through the preview proxy. A bad upload id is 400 and a picture too large 413, with
 * nothing sent to v0.
 */

let stack: Stack;
let v0: FakeV0;
let assetId: string;
const IMG = 'body > main:nth-of-type(1) > img:nth-of-type(1)';
const PLACEHOLDER = '/placeholder.svg?height=160&width=320';

const api = (p: string, init?: RequestInit) => fetch(`${stack.url}${p}`, init);
const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const finished = (id: string): Promise<Job> =>
  waitFor(
    async () => {
      const job = (await (await api(`/api/jobs/${id}`)).json()) as Job;
      return ['completed', 'failed', 'cancelled'].includes(job.status) ? job : null;
    },
    30000,
    `job ${id}`,
  );
const solid = (rgb: [number, number, number], w: number) => (_y: number, row: Buffer) => {
  for (let x = 0; x < w; x++) row.set(rgb, x * 3);
};

/** A PNG that declares `w`×`h` pixels (its header is all a size check reads). */
function declaredPng(w: number, h: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'latin1');
    data.copy(out, 8);
    out.writeUInt32BE(crc32(out, 4, 8 + data.length), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(1 + 3 * w))), chunk('IEND', Buffer.alloc(0))]);
}

async function upload(bytes: Buffer, name: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), name);
  const res = await api('/api/uploads', { method: 'POST', body: form });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** A file written into OUTPUT_PATH as a worker would, once the gallery has indexed it. */
async function galleryFile(rel: string, bytes: Buffer): Promise<string> {
  const id = assetIdForPath(rel);
  const indexed = async () => (await api(`/api/assets/${id}`)).ok;
  await mkdir(path.dirname(path.join(stack.config.outputPath, rel)), { recursive: true });
  for (let i = 0; i < 3 && !(await indexed()); i++) {
    await writeFile(path.join(stack.config.outputPath, rel), bytes);
    await waitFor(indexed, 8000, `${rel} indexed`).catch(() => undefined);
  }
  expect(await indexed()).toBe(true);
  return id;
}

async function newestVersion(): Promise<string> {
  const site = (await (await api(`/api/sites/${assetId}`)).json()) as SiteDetail;
  return site.versions.at(-1)!.id;
}

/** The version's page through the preview proxy, and the src of its image (as the site wrote it: without the proxy's /s/<token> prefix). */
async function previewImage(versionId: string): Promise<{ src: string; bytes: Buffer }> {
  const { url } = (await (await api(`/api/sites/${assetId}/preview?version=${versionId}`)).json()) as { url: string };
  const html = await (await fetch(url)).text();
  const src = /<img src="([^"]+)"/.exec(html)![1]!;
  const image = await fetch(new URL(src, url));
  expect(image.status).toBe(200);
  return { src: src.replace(/^\/s\/[^/]+/, ''), bytes: Buffer.from(await image.arrayBuffer()) };
}

beforeAll(async () => {
  v0 = await startFakeV0({ pendingPolls: 1 });
  stack = await startStack('e2e-site-pictures', { env: { V0_API_KEY: v0.apiKey, V0_API_URL: v0.url } });
  const res = await api('/api/jobs', json({ provider: 'v0', kind: 'site', prompt: 'A bakery in Lisbon with fresh bread every morning' }));
  expect(res.status).toBe(202);
  const job = await finished(((await res.json()) as { id: string }).id);
  expect(job.status).toBe('completed');
  assetId = job.assets![0]!.id;
}, 60000);

afterAll(async () => {
  await stack?.close();
  await v0?.close();
});

describe('design edits with pictures, end to end', () => {
  it('sends an uploaded picture to v0 as attachment 1 (a data URI), names it in the message, and the new version shows it', async () => {
    const bytes = encodePng(48, 24, solid([220, 40, 40], 48));
    const id = await upload(bytes, 'hero.png');
    const versionId = await newestVersion();
    const res = await api(`/api/sites/${assetId}/design-edits`, json({ versionId, edits: [{ selector: IMG, kind: 'attr', name: 'src', before: PLACEHOLDER, after: 'hero.png', image: { source: 'upload', id } }] }));
    expect(res.status).toBe(202);
    const job = await finished(((await res.json()) as { id: string }).id);
    expect(job.status).toBe('completed');

    const sent = v0.received.at(-1)!;
    expect(sent.attachments).toEqual([{ url: `data:image/png;base64,${bytes.toString('base64')}` }]);
    expect(sent.message).toContain('One picture is attached to this message, in order: attachment 1 (hero.png).');
    expect(sent.message).toContain(`1. Attribute src of the <img> at \`${IMG}\`: ${JSON.stringify(PLACEHOLDER)} → attachment 1 (hero.png)`);

    const next = await newestVersion();
    expect(next).not.toBe(versionId);
    const shown = await previewImage(next);
    expect(shown.src).toMatch(/^\/attachments\/[A-Za-z0-9]+\.png$/);
    expect(shown.bytes.equals(bytes)).toBe(true);
  });

  it('sends a gallery image the same way: its bytes as a data URI, never a URL of this server', async () => {
    const bytes = encodePng(30, 30, solid([40, 80, 230], 30));
    const id = await galleryFile('pictures/harbour.png', bytes);
    const versionId = await newestVersion();
    const before = (await previewImage(versionId)).src;
    const res = await api(`/api/sites/${assetId}/design-edits`, json({ versionId, edits: [{ selector: IMG, kind: 'attr', name: 'src', before, after: 'harbour.png', image: { source: 'asset', id } }] }));
    expect(res.status).toBe(202);
    expect((await finished(((await res.json()) as { id: string }).id)).status).toBe('completed');
    const sent = v0.received.at(-1)!;
    expect(sent.attachments).toEqual([{ url: `data:image/png;base64,${bytes.toString('base64')}` }]);
    expect(sent.message).toContain(`${JSON.stringify(before)} → attachment 1 (harbour.png)`);
    expect(sent.message).not.toContain(new URL(stack.url).host);
    expect((await previewImage(await newestVersion())).bytes.equals(bytes)).toBe(true);
  });

  it('refuses a bad upload id with 400 and a picture too large with 413, sending nothing to v0', async () => {
    const versionId = await newestVersion();
    const edit = (image: object) => ({ selector: IMG, kind: 'attr', name: 'src', before: '/x.png', after: 'new.png', image });
    const sentBefore = v0.received.length;
    const missing = await api(`/api/sites/${assetId}/design-edits`, json({ versionId, edits: [edit({ source: 'upload', id: '00000000-0000-4000-8000-000000000000' })] }));
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: 'input_image_not_found', message: expect.stringContaining('upload the picture first') });
    const malformed = await api(`/api/sites/${assetId}/design-edits`, json({ versionId, edits: [edit({ source: 'upload', id: 'not-an-upload-id-at-all' })] }));
    expect(malformed.status).toBe(400);
    const huge = await galleryFile('pictures/huge.png', declaredPng(7000, 6000));
    const tooLarge = await api(`/api/sites/${assetId}/design-edits`, json({ versionId, edits: [edit({ source: 'asset', id: huge })] }));
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ error: 'image_too_large', message: expect.stringContaining('at most 40 MP') });
    expect(v0.received.length).toBe(sentBefore);
  });
});
