/* eslint-disable @typescript-eslint/no-explicit-any -- tests poke into loosely-typed protocol JSON */
// HTTP surface: /api mirror, origin middleware, introspection, queue/history semantics, /view,
// /upload/image and the body limit.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeComfy, startFakeComfy } from './index.js';
import { encodePng } from './png.js';
import { emptyImageGraph, getJson, postJson, WsClient } from './testkit.js';

let fake: FakeComfy;
beforeAll(async () => {
  fake = await startFakeComfy({ stepMs: 1 });
});
afterAll(async () => {
  await fake.close();
});

const upload = async (name: string, bytes: Buffer, fields: Record<string, string> = {}) => {
  const fd = new FormData();
  fd.append('image', new Blob([new Uint8Array(bytes)]), name);
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  const r = await fetch(`${fake.url}/upload/image`, { method: 'POST', body: fd });
  const text = await r.text();
  return { status: r.status, json: r.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : undefined };
};
const png = (shade: number) => encodePng(4, 2, (_y, row) => row.fill(shade));

async function runToCompletion(prompt: unknown, clientId: string): Promise<string> {
  const ws = await WsClient.connect(fake.url, clientId);
  try {
    const r = await postJson(fake.url, '/prompt', { prompt, client_id: clientId });
    expect(r.status, r.text).toBe(200);
    await ws.done(r.json.prompt_id);
    return r.json.prompt_id;
  } finally {
    ws.close();
  }
}

describe('routing and middleware', () => {
  it('serves every route at /x and /api/x, but /internal/* only un-mirrored', async () => {
    expect((await getJson(fake.url, '/api/prompt')).json).toEqual({ exec_info: { queue_remaining: 0 } });
    expect((await getJson(fake.url, '/api/object_info/KSampler')).json.KSampler.name).toBe('KSampler');
    expect((await getJson(fake.url, '/internal/folder_paths')).status).toBe(200);
    expect((await fetch(`${fake.url}/api/internal/folder_paths`)).status).toBe(404);
    const ws = await WsClient.connect(fake.url, 'mirror', undefined, '/api/ws');
    await ws.waitFor((f) => f.type === 'status');
    expect(ws.frames[0]).toEqual({ type: 'status', data: { status: { exec_info: { queue_remaining: 0 } }, sid: 'mirror' } });
    ws.close();
    const anon = await WsClient.connect(fake.url);
    await anon.waitFor((f) => f.type === 'status');
    expect((anon.frames[0] as any).data.sid).toMatch(/^[0-9a-f]{32}$/);
    anon.close();
  });

  it('origin check on loopback Host: foreign Origin → 403 empty (also OPTIONS and WS), matching or absent → allowed', async () => {
    const host = new URL(fake.url).host;
    const evil = await fetch(`${fake.url}/prompt`, { headers: { Origin: 'http://evil.example.com' } });
    expect(evil.status).toBe(403);
    expect(await evil.text()).toBe('');
    expect((await fetch(`${fake.url}/prompt`, { headers: { Origin: 'http://localhost:3000' } })).status).toBe(403);
    expect((await fetch(`${fake.url}/prompt`, { headers: { Origin: `http://${host}` } })).status).toBe(200);
    expect((await fetch(`${fake.url}/prompt`, { method: 'OPTIONS', headers: { Origin: 'http://localhost:3000' } })).status).toBe(403);
    expect((await fetch(`${fake.url}/prompt`, { method: 'OPTIONS' })).status).toBe(200);
    await expect(WsClient.connect(fake.url, 'x', { Origin: 'http://evil.example.com' })).rejects.toThrow(/403/);
  });

  it('introspection: object_info encodings, models, system_stats, features, embeddings, extensions', async () => {
    const all = (await getJson(fake.url, '/object_info')).json;
    expect(Object.keys(all)).toEqual(expect.arrayContaining(['CheckpointLoaderSimple', 'KSampler', 'SaveImage', 'TripleCLIPLoader', 'SaveAnimatedWEBP']));
    expect(all.KSampler.input.required.sampler_name[0]).toHaveLength(42);
    expect(all.KSampler.input.required.scheduler[0]).toEqual(['simple', 'sgm_uniform', 'karras', 'exponential', 'ddim_uniform', 'beta', 'normal', 'linear_quadratic', 'kl_optimal']);
    expect(all.CheckpointLoaderSimple.output).toEqual(['MODEL', 'CLIP', 'VAE']);
    expect(all.SaveImage.input.hidden).toEqual({ prompt: 'PROMPT', extra_pnginfo: 'EXTRA_PNGINFO' });
    expect(all.SaveImage.output_node).toBe(true);
    // Both combo encodings: legacy list-first (TripleCLIPLoader in 0.3.64) and V3 (ImageScaleToTotalPixels).
    expect(all.TripleCLIPLoader.input.required.clip_name1[0]).toContain('t5xxl_fp16.safetensors');
    expect(all.ImageScaleToTotalPixels.input.required.upscale_method).toEqual(['COMBO', { multiselect: false, options: ['nearest-exact', 'bilinear', 'area', 'bicubic', 'lanczos'] }]);
    const raw = await fetch(`${fake.url}/object_info/EmptyImage`);
    expect(raw.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await raw.text()).toContain('"width": ["INT", {"default": 512, "min": 1, "max": 16384, "step": 1}]');
    expect((await getJson(fake.url, '/object_info/Nope')).json).toEqual({});
    expect((await getJson(fake.url, '/models')).json).toContain('checkpoints');
    expect((await getJson(fake.url, '/models/checkpoints')).json).toEqual(['sd_xl_base_1.0.safetensors', 'v1-5-pruned-emaonly.safetensors']);
    for (const legacy of ['unet', 'clip', 'nope']) expect((await fetch(`${fake.url}/models/${legacy}`)).status).toBe(404);
    const stats = (await getJson(fake.url, '/system_stats')).json;
    expect(stats.system).toMatchObject({ comfyui_version: '0.3.64', simulated: true, os: 'posix' });
    expect(stats.system.argv[0]).toBe('fake-comfyui');
    expect(stats.devices[0]).toMatchObject({ name: 'Simulated GPU (fake ComfyUI)', type: 'cuda', index: 0 });
    expect((await getJson(fake.url, '/features')).json).toEqual({ supports_preview_metadata: true, max_upload_size: 104857600 });
    expect((await getJson(fake.url, '/embeddings')).json).toEqual([]);
    expect((await getJson(fake.url, '/extensions')).json).toEqual([]);
  });

  it('body limit: a declared body over 100 MB → 413', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL(`${fake.url}/prompt`);
      const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'Content-Length': String(100 * 1024 * 1024 + 1) } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
        req.destroy();
      });
      req.on('error', reject);
      req.write('{');
    });
    expect(status).toBe(413);
  });
});

describe('queue and history', () => {
  it('POST /queue delete/clear never produces history; GET /history honours max_items/offset; POST /history deletes', async () => {
    fake.faults.slowStartMs = 500;
    const blocker = await postJson(fake.url, '/prompt', { prompt: emptyImageGraph(100) });
    const p1 = await postJson(fake.url, '/prompt', { prompt: emptyImageGraph(101) });
    const p2 = await postJson(fake.url, '/prompt', { prompt: emptyImageGraph(102) });
    expect((await getJson(fake.url, '/prompt')).json.exec_info.queue_remaining).toBe(3);
    expect((await postJson(fake.url, '/queue', { delete: [p1.json.prompt_id, 'unknown'] })).status).toBe(200);
    expect((await postJson(fake.url, '/queue', { clear: true })).status).toBe(200);
    const q = (await getJson(fake.url, '/queue')).json;
    expect(q.queue_pending).toEqual([]);
    expect(q.queue_running[0][1]).toBe(blocker.json.prompt_id);
    fake.faults.slowStartMs = 0;
    expect((await getJson(fake.url, `/history/${p2.json.prompt_id}`)).json).toEqual({}); // pending/deleted → {}
    const ids = [await runToCompletion(emptyImageGraph(103), 'h1'), await runToCompletion(emptyImageGraph(104), 'h2')];
    expect((await getJson(fake.url, `/history/${p1.json.prompt_id}`)).json).toEqual({});
    const hist = (await getJson(fake.url, '/history')).json;
    expect(Object.keys(hist)).toEqual([blocker.json.prompt_id, ...ids]);
    expect(Object.keys((await getJson(fake.url, '/history?max_items=1')).json)).toEqual([ids[1]]);
    expect(Object.keys((await getJson(fake.url, '/history?max_items=1&offset=1')).json)).toEqual([ids[0]]);
    expect((await fetch(`${fake.url}/history?max_items=abc`)).status).toBe(500);
    await postJson(fake.url, '/history', { delete: [ids[0]] });
    expect(Object.keys((await getJson(fake.url, '/history')).json)).toEqual([blocker.json.prompt_id, ids[1]]);
    await postJson(fake.url, '/history', { clear: true });
    expect((await getJson(fake.url, '/history')).json).toEqual({});
  });
});

describe('/view and /upload/image', () => {
  it('upload naming: identical bytes reuse the name, different bytes → "name (1).png", overwrite, errors', async () => {
    expect((await upload('up.png', png(10))).json).toEqual({ name: 'up.png', subfolder: '', type: 'input' });
    expect((await upload('up.png', png(10))).json.name).toBe('up.png');
    expect((await upload('up.png', png(20))).json.name).toBe('up (1).png');
    expect((await upload('up.png', png(20))).json.name).toBe('up (1).png');
    expect((await upload('up.png', png(30))).json.name).toBe('up (2).png');
    expect((await upload('up.png', png(40), { overwrite: 'true' })).json.name).toBe('up.png');
    expect((await upload('s.png', png(1), { subfolder: 'sub/dir', type: 'temp' })).json).toEqual({ name: 's.png', subfolder: 'sub/dir', type: 'temp' });
    expect((await upload('x.png', png(1), { type: 'models' })).status).toBe(500);
    expect((await upload('x.png', png(1), { subfolder: '../../etc' })).status).toBe(400);
    const fd = new FormData();
    fd.append('type', 'input');
    expect((await fetch(`${fake.url}/upload/image`, { method: 'POST', body: fd })).status).toBe(400);
    expect(fake.stats.uploads).toBe(7);
    const info = (await getJson(fake.url, '/object_info/LoadImage')).json.LoadImage.input.required.image;
    expect(info).toEqual([['up (1).png', 'up (2).png', 'up.png'], { image_upload: true }]);
  });

  it('serves files with type/subfolder/annotation, Range → 206, and refuses traversal', async () => {
    await upload('v.png', png(77), { subfolder: 'a', type: 'output' });
    const full = await fetch(`${fake.url}/view?filename=v.png&subfolder=a`);
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('image/png');
    expect(full.headers.get('content-disposition')).toBe('filename="v.png"');
    const bytes = Buffer.from(await full.arrayBuffer());
    expect(bytes.equals(png(77))).toBe(true);
    const ranged = await fetch(`${fake.url}/view?filename=v.png&subfolder=a&type=output`, { headers: { Range: 'bytes=1-3' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe(`bytes 1-3/${bytes.length}`);
    expect(Buffer.from(await ranged.arrayBuffer()).toString('latin1')).toBe('PNG');
    expect((await fetch(`${fake.url}/view?filename=v.png&subfolder=a`, { headers: { Range: 'bytes=9999-' } })).status).toBe(416);
    await upload('in.png', png(5));
    expect((await fetch(`${fake.url}/view?filename=${encodeURIComponent('in.png [input]')}&type=output`)).status).toBe(200);
    expect((await fetch(`${fake.url}/view?filename=in.png&type=input`)).status).toBe(200);
    expect((await fetch(`${fake.url}/view?filename=in.png`)).status).toBe(404); // default type is output
    expect((await fetch(`${fake.url}/view?filename=..%2Fsecret.png`)).status).toBe(400);
    expect((await fetch(`${fake.url}/view?filename=%2Fetc%2Fpasswd`)).status).toBe(400);
    expect((await fetch(`${fake.url}/view?filename=v.png&subfolder=..%2F..`)).status).toBe(403);
    expect((await fetch(`${fake.url}/view?filename=v.png&type=models`)).status).toBe(400);
    expect((await fetch(`${fake.url}/view`)).status).toBe(404);
  });

  it('SaveImage naming: counter from the directory, "/" in the prefix makes a subfolder', async () => {
    const a = await runToCompletion(emptyImageGraph(1, 'runs/day1/pre'), 'n1');
    const b = await runToCompletion(emptyImageGraph(2, 'runs/day1/pre'), 'n2');
    const h = fake.history() as any;
    expect(h[a].outputs['2'].images).toEqual([{ filename: 'pre_00001_.png', subfolder: 'runs/day1', type: 'output' }]);
    expect(h[b].outputs['2'].images).toEqual([{ filename: 'pre_00002_.png', subfolder: 'runs/day1', type: 'output' }]);
    expect((await fetch(`${fake.url}/view?filename=pre_00002_.png&subfolder=runs/day1`)).status).toBe(200);
  });
});
