import { describe, expect, it } from 'vitest';
import { QueryClient } from '@tanstack/react-query';
import type { Asset } from '@orchestrator/shared';
import { queryKeys } from '../api/keys';
import { DEFAULT_FILTERS, type GalleryFilters } from '../lib/galleryFilters';
import { addToGallery, removeFromGallery, updateInGallery } from './galleryCache';

let n = 0;
const asset = (createdAt: string, patch: Partial<Asset> = {}): Asset => {
  const id = (n++).toString(16).padStart(16, 'a');
  return { id, type: 'image', fileName: `${id}.png`, relPath: `${id}.png`, size: 1, mimeType: 'image/png', createdAt, url: '', thumbUrl: '', meta: {}, ...patch };
};

function seed(client: QueryClient, filters: GalleryFilters, items: Asset[]) {
  client.setQueryData(queryKeys.galleryPage(filters, 0), items);
  client.setQueryData(queryKeys.galleryTotal(filters), items.length);
}
const page = (client: QueryClient, f: GalleryFilters) => client.getQueryData<Asset[]>(queryKeys.galleryPage(f, 0))!.map((a) => a.id);

describe('gallery cache kept current by events', () => {
  it('prepends a new asset to the newest-first view and counts it', () => {
    const client = new QueryClient();
    const old = asset('2025-01-01T00:00:00.000Z');
    seed(client, DEFAULT_FILTERS, [old]);
    const fresh = asset('2025-02-01T00:00:00.000Z');
    addToGallery(client, fresh);
    expect(page(client, DEFAULT_FILTERS)).toEqual([fresh.id, old.id]);
    expect(client.getQueryData(queryKeys.galleryTotal(DEFAULT_FILTERS))).toBe(2);
  });

  it('leaves views the asset does not match alone, and lets the server place it in a search', () => {
    const client = new QueryClient();
    const videos: GalleryFilters = { ...DEFAULT_FILTERS, type: 'video' };
    const search: GalleryFilters = { ...DEFAULT_FILTERS, q: 'fox' };
    seed(client, videos, []);
    seed(client, search, []);
    addToGallery(client, asset('2025-02-01T00:00:00.000Z'));
    expect(page(client, videos)).toEqual([]);
    expect(client.getQueryData(queryKeys.galleryTotal(videos))).toBe(0);
    expect(client.getQueryState(queryKeys.galleryPage(search, 0))?.isInvalidated).toBe(true);
  });

  it('replaces a changed asset in place instead of adding it twice', () => {
    const client = new QueryClient();
    const a = asset('2025-01-01T00:00:00.000Z', { meta: { prompt: 'old' } });
    seed(client, DEFAULT_FILTERS, [a]);
    addToGallery(client, { ...a, meta: { prompt: 'new' } });
    expect(client.getQueryData<Asset[]>(queryKeys.galleryPage(DEFAULT_FILTERS, 0))!.map((x) => x.meta.prompt)).toEqual(['new']);
  });

  it('updates a known asset in place without counting it again, and drops it from views it left', () => {
    const client = new QueryClient();
    const videos: GalleryFilters = { ...DEFAULT_FILTERS, type: 'video' };
    const a = asset('2025-01-01T00:00:00.000Z', { type: 'video', title: 'v1' });
    seed(client, DEFAULT_FILTERS, [a]);
    seed(client, videos, [a]);
    updateInGallery(client, { ...a, type: 'image', title: 'v2' });
    expect(client.getQueryData<Asset[]>(queryKeys.galleryPage(DEFAULT_FILTERS, 0))!.map((x) => x.title)).toEqual(['v2']);
    expect(client.getQueryData(queryKeys.galleryTotal(DEFAULT_FILTERS))).toBe(1);
    expect(page(client, videos)).toEqual([]);
    expect(client.getQueryData(queryKeys.galleryTotal(videos))).toBe(0);
  });

  it('applies a removal once, whether our delete or its event comes first', () => {
    const client = new QueryClient();
    const a = asset('2025-01-01T00:00:00.000Z');
    const b = asset('2025-01-02T00:00:00.000Z');
    seed(client, DEFAULT_FILTERS, [b, a]);
    removeFromGallery(client, a.id);
    removeFromGallery(client, a.id);
    expect(page(client, DEFAULT_FILTERS)).toEqual([b.id]);
    expect(client.getQueryData(queryKeys.galleryTotal(DEFAULT_FILTERS))).toBe(1);
    expect(client.getQueryState(queryKeys.galleryPage(DEFAULT_FILTERS, 0))?.isInvalidated).toBe(false);
  });
});
