import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assetIdForPath, buildSiteAsset, type V0SiteManifest } from '@orchestrator/shared';
import { AssetReader, type ReadTarget } from './asset-reader.js';
import { VideoProber, parseFfprobe } from './video-probe.js';
import { a1111Infotext, comfyGraph, gif, jpeg, minimalPng, pngWithLateText, pngWithText, webp } from '../testing/gallery-fixtures.js';

let root: string;
let reader: AssetReader;
const png: ReadTarget = { kind: 'media', type: 'image', mimeType: 'image/png' };
const image = (mimeType: string): ReadTarget => ({ kind: 'media', type: 'image', mimeType });

async function read(rel: string, bytes: Buffer | string, target: ReadTarget = png) {
  await writeFile(path.join(root, rel), bytes);
  const st = await reader.stat(rel, target);
  if (!st) throw new Error(`no stat for ${rel}`);
  return reader.read(rel, target, st);
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'orch-reader-'));
  reader = new AssetReader(root, new VideoProber('ffprobe-that-does-not-exist'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('AssetReader: metadata from the file', () => {
  it('reads a ComfyUI PNG: the prompt graph gives model, prompts, seed, steps; IHDR gives the size', async () => {
    const graph = comfyGraph({ prompt: 'a lighthouse at dusk', negative: 'blurry', seed: 42, steps: 9, model: 'sd_xl_base_1.0.safetensors', width: 1024, height: 768 });
    const a = await read('comfy.png', pngWithText(64, 48, { prompt: JSON.stringify(graph), workflow: '{}' }));
    expect(a).toMatchObject({ id: assetIdForPath('comfy.png'), type: 'image', mimeType: 'image/png', width: 64, height: 48, fileName: 'comfy.png' });
    expect(a.meta).toMatchObject({ provider: 'comfyui', prompt: 'a lighthouse at dusk', negativePrompt: 'blurry', seed: 42, steps: 9, model: 'sd_xl_base_1.0.safetensors', sampler: 'euler' });
    expect(a.mtimeMs).toBeTypeOf('number');
  });

  it('reads an A1111 PNG infotext', async () => {
    const a = await read('a1111.png', pngWithText(32, 32, { parameters: a1111Infotext({ prompt: 'castle on a hill', seed: 99, model: 'dreamshaper_8' }) }));
    expect(a.meta).toMatchObject({ provider: 'a1111', prompt: 'castle on a hill', negativePrompt: 'blurry', seed: 99, steps: 28, model: 'dreamshaper_8', sampler: 'dpmpp_2m', scheduler: 'karras' });
  });

  it('prefers our own chunk, and our sidecar over everything in the file', async () => {
    const ours = { jobId: '0b5c3f1e-2a4d-4c6e-8f00-112233445566', provider: 'comfyui', prompt: 'from the chunk', seed: 5 };
    await writeFile(path.join(root, 'own.png.json'), JSON.stringify({ version: 1, createdAt: '2030-05-06T07:08:09.000Z', meta: { prompt: 'from the sidecar', backend: 'gpu-1' } }));
    const a = await read('own.png', pngWithText(16, 16, { orchestrator: JSON.stringify(ours), prompt: JSON.stringify(comfyGraph({ prompt: 'from the graph' })) }));
    expect(a.meta).toMatchObject({ jobId: ours.jobId, prompt: 'from the sidecar', seed: 5, backend: 'gpu-1' });
    expect(a.createdAt).toBe('2030-05-06T07:08:09.000Z');
  });

  it('finds a text chunk written after the pixels', async () => {
    const a = await read('late.png', pngWithLateText(20, 10, 'parameters', a1111Infotext({ prompt: 'late bloomer' })));
    expect(a.meta.prompt).toBe('late bloomer');
    expect(a.width).toBe(20);
  });

  it('gives a file without metadata its file facts and the file time', async () => {
    const a = await read('plain.png', minimalPng(7, 5));
    await utimes(path.join(root, 'plain.png'), new Date('2031-01-01T00:00:00Z'), new Date('2031-01-01T00:00:00Z'));
    const again = await reader.read('plain.png', png, (await reader.stat('plain.png', png))!);
    expect(a.meta).toEqual({});
    expect(again).toMatchObject({ width: 7, height: 5, size: a.size });
    expect(again.mtimeMs).toBe(Date.parse('2031-01-01T00:00:00Z'));
  });

  it('reads JPEG size and the A1111 infotext from the EXIF UserComment (UTF-16)', async () => {
    const a = await read('photo.jpg', jpeg(640, 480, { userComment: a1111Infotext({ prompt: 'jpeg prompt ünïcode' }) }), image('image/jpeg'));
    expect(a).toMatchObject({ width: 640, height: 480 });
    expect(a.meta.prompt).toBe('jpeg prompt ünïcode');
  });

  it('reads a JPEG COM segment as infotext', async () => {
    const a = await read('com.jpg', jpeg(10, 20, { comment: a1111Infotext({ prompt: 'in a comment' }) }), image('image/jpeg'));
    expect(a.meta.prompt).toBe('in a comment');
  });

  it('reads an animated WebP: frames, duration, and ComfyUI EXIF strings after the frames', async () => {
    const graph = comfyGraph({ prompt: 'a dancing robot', seed: 3 });
    const a = await read('anim.webp', webp(96, 64, { frames: 5, frameMs: 40, exif: [[0x0110, `prompt:${JSON.stringify(graph)}`]] }), image('image/webp'));
    expect(a).toMatchObject({ type: 'video', width: 96, height: 64, animated: true, frames: 5, durationMs: 200 });
    expect(a.meta).toMatchObject({ prompt: 'a dancing robot', seed: 3, provider: 'comfyui' });
  });

  it('reads a still WebP and GIFs (animation flagged, still an image)', async () => {
    expect(await read('still.webp', webp(33, 22), image('image/webp'))).toMatchObject({ width: 33, height: 22 });
    const still = await read('still.gif', gif(5, 6), image('image/gif'));
    expect(still).toMatchObject({ width: 5, height: 6 });
    expect(still.animated).toBeUndefined();
    expect(await read('anim.gif', gif(8, 9, true), image('image/gif'))).toMatchObject({ width: 8, height: 9, animated: true, type: 'image' });
  });

  it('indexes corrupt and truncated files with what can be read, never throwing', async () => {
    const full = pngWithText(64, 64, { prompt: JSON.stringify(comfyGraph({ prompt: 'cut short' })) });
    const truncated = await read('truncated.png', full.subarray(0, 60));
    expect(truncated).toMatchObject({ width: 64, height: 64, meta: {} });
    const garbage = await read('garbage.png', Buffer.from('this is not a png at all'));
    expect(garbage).toMatchObject({ type: 'image', size: 24, meta: {} });
    expect(garbage.width).toBeUndefined();
    const empty = await read('empty.jpg', Buffer.alloc(0), image('image/jpeg'));
    expect(empty.size).toBe(0);
    const badWebp = await read('bad.webp', Buffer.concat([webp(10, 10).subarray(0, 20), Buffer.alloc(3)]), image('image/webp'));
    expect(badWebp.type).toBe('image');
    const hugeChunk = Buffer.from(minimalPng(4, 4));
    hugeChunk.writeUInt32BE(0x7fffffff, 33); // the IDAT claims 2 GB
    expect((await read('lying.png', hugeChunk)).width).toBe(4);
  });

  it('reads a site manifest: title, meta and time from site.json', async () => {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path.join(root, 'my-site'));
    const a = await read('my-site/site.json', JSON.stringify({ version: 1, title: 'Bakery landing page', createdAt: '2030-01-02T03:04:05Z', meta: { provider: 'v0', prompt: 'a bakery' } }), { kind: 'site' });
    expect(a).toMatchObject({ type: 'site', title: 'Bakery landing page', relPath: 'my-site/site.json', createdAt: '2030-01-02T03:04:05.000Z', meta: { provider: 'v0', prompt: 'a bakery' } });
  });
});

describe('v0 site manifests', () => {
  it('builds the same record the worker builds (versions, screenshot), so a re-read loses nothing', async () => {
    const { mkdir } = await import('node:fs/promises');
    const manifest: V0SiteManifest = {
      version: 1,
      chatId: 'chat_123',
      title: 'Jazz bar',
      webUrl: 'https://v0.app/chat/chat_123',
      prompt: 'a site for a jazz bar',
      createdAt: '2030-02-02T00:00:00.000Z',
      updatedAt: '2030-02-03T00:00:00.000Z',
      meta: { provider: 'v0', prompt: 'a site for a jazz bar' },
      versions: [{ id: 'v1', status: 'completed', createdAt: '2030-02-02T00:00:00.000Z', files: ['app/page.tsx'], filesSaved: true, screenshot: 'sites/chat_123/.screenshots/v1.png' }],
    };
    await mkdir(path.join(root, 'sites/chat_123'), { recursive: true });
    const a = await read('sites/chat_123/site.json', JSON.stringify(manifest), { kind: 'site' });
    const { mtimeMs, ...rest } = a;
    expect(rest).toEqual(buildSiteAsset(manifest, { size: a.size }));
    expect(mtimeMs).toBeTypeOf('number');
  });
});

describe('video facts', () => {
  it('parses ffprobe output, including the prompt VHS stores in the comment tag', () => {
    const graph = JSON.stringify(comfyGraph({ prompt: 'waves' }));
    const facts = parseFfprobe({
      streams: [{ width: 832, height: 480, avg_frame_rate: '16/1', nb_frames: '81', duration: '5.062500' }],
      format: { duration: '5.1', tags: { comment: JSON.stringify({ prompt: graph }) } },
    });
    expect(facts).toEqual({ width: 832, height: 480, fps: 16, frames: 81, durationMs: 5063, text: { prompt: graph } });
  });

  it('leaves video facts unset without ffprobe', async () => {
    const a = await read('clip.mp4', Buffer.from('\0\0\0\x18ftypmp42'), { kind: 'media', type: 'video', mimeType: 'video/mp4' });
    expect(a).toMatchObject({ type: 'video', mimeType: 'video/mp4' });
    expect(a.durationMs).toBeUndefined();
  });
});

describe('video facts through ffprobe', () => {
  const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0 && spawnSync('ffprobe', ['-version']).status === 0;
  it.skipIf(!hasFfmpeg)('reads size, duration and frame rate of a real MP4', async () => {
    const file = path.join(root, 'real.mp4');
    const made = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10', '-t', '1', '-pix_fmt', 'yuv420p', '-y', file]);
    expect(made.status).toBe(0);
    const video: ReadTarget = { kind: 'media', type: 'video', mimeType: 'video/mp4' };
    const withProbe = new AssetReader(root, new VideoProber());
    const a = await withProbe.read('real.mp4', video, (await withProbe.stat('real.mp4', video))!);
    expect(a).toMatchObject({ type: 'video', width: 64, height: 48, fps: 10, frames: 10, durationMs: 1000 });
  });
});
