import { describe, expect, it } from 'vitest';
import { assetIdForPath, assetUrls, type Asset } from './assets.js';
import { decodeAssetRecord, encodeRecordBody, parseRecordHead } from './gallery-record.js';

/** A record as the put script stores it: the header, then the body. */
const stored = (asset: Asset, slot = 7) => `${slot}\x00${'ab'.repeat(8)}\x00886:1700000000000:0\x00${asset.fileName.toLowerCase()}\x00${encodeRecordBody(asset)}`;

function image(relPath: string, over: Partial<Asset> = {}): Asset {
  const id = assetIdForPath(relPath);
  return {
    id,
    type: 'image',
    fileName: relPath.split('/').pop()!,
    relPath,
    size: 886,
    mimeType: 'image/png',
    createdAt: '2026-05-08T05:00:41.131Z',
    ...assetUrls(id),
    meta: { model: 'dreamshaper_8.safetensors', prompt: 'a lighthouse at dusk', negativePrompt: 'blurry', seed: 1581874614, steps: 20, cfg: 7, sampler: 'euler', scheduler: 'normal', width: 512, height: 512, provider: 'comfyui' },
    width: 8,
    height: 8,
    mtimeMs: 1778216441131,
    ...over,
  };
}

describe('gallery record codec', () => {
  it('gives back exactly the asset it stored, and its header', () => {
    const asset = image('day-044/ComfyUI_044856_.png', { owner: 'ada' });
    const raw = stored(asset);
    expect(decodeAssetRecord(asset.id, raw)).toEqual(asset);
    expect(parseRecordHead(raw)).toEqual({ slot: 7, hash: 'ab'.repeat(8), signature: '886:1700000000000:0', nameKey: 'comfyui_044856_.png' });
  });

  it('stores about half of the JSON', () => {
    const asset = image('day-044/ComfyUI_044856_.png');
    expect(encodeRecordBody(asset).length).toBeLessThan(JSON.stringify(asset).length * 0.55);
  });

  it('keeps what it cannot derive: another url, file name or mime type, a date in another form, fields it does not know', () => {
    const asset = {
      ...image('clips/anim.webp', { type: 'video', mimeType: 'image/webp', animated: true, frames: 8, fps: 12, durationMs: 666 }),
      url: '/somewhere/else',
      fileName: 'Shown Name.webp',
      createdAt: '2024-01-01T02:00:00+02:00',
      futureField: { a: [1, 'two'] },
    } as Asset;
    expect(decodeAssetRecord(asset.id, stored(asset))).toEqual(asset);
    const jpeg = image('a/photo.jpg', { mimeType: 'image/x-custom' });
    expect(decodeAssetRecord(jpeg.id, stored(jpeg))).toEqual(jpeg);
  });

  it('round-trips a site with its versions', () => {
    const relPath = 'sites/abc/site.json';
    const id = assetIdForPath(relPath);
    const site: Asset = {
      id,
      type: 'site',
      fileName: 'site.json',
      relPath,
      size: 50,
      mimeType: 'application/json',
      createdAt: '2026-01-02T03:04:05.006Z',
      ...assetUrls(id),
      meta: { provider: 'v0', prompt: 'a bakery landing page' },
      title: 'Bakery',
      site: { chatId: 'abc123', versionId: 'v1abc', webUrl: 'https://v0.dev/chat/abc123', versions: [{ id: 'v1abc', status: 'completed', createdAt: '2026-01-02T03:04:05.006Z' }] },
    };
    expect(decodeAssetRecord(id, stored(site))).toEqual(site);
  });

  it('reads a record that is not whole, or not of this layout, as none', () => {
    const asset = image('x/y.png');
    const { createdAt: _gone, ...partial } = asset;
    expect(decodeAssetRecord(asset.id, stored(partial as Asset))).toBeNull();
    expect(decodeAssetRecord(asset.id, JSON.stringify(asset))).toBeNull(); // a layout-1 record
    expect(decodeAssetRecord(asset.id, '1\x00h\x00s\x00n\x00{not json')).toBeNull();
    expect(parseRecordHead('no header')).toBeNull();
  });
});
