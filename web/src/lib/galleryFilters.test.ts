import { describe, expect, it } from 'vitest';
import type { Asset } from '@orchestrator/shared';
import { compareAssets, DEFAULT_FILTERS, filtersToSearch, matchesFilters, parseFilters, toApiParams, type GalleryFilters } from './galleryFilters';

const asset = (patch: Partial<Asset> = {}): Asset => ({
  id: '0123456789abcdef',
  type: 'image',
  fileName: 'a.png',
  relPath: 'a.png',
  size: 10,
  mimeType: 'image/png',
  createdAt: '2025-03-10T12:00:00.000Z',
  url: '/f',
  thumbUrl: '/t',
  meta: { model: 'sdxl.safetensors', prompt: 'a fox' },
  ...patch,
});

describe('gallery filters in the URL', () => {
  it('round-trips every filter through the query string', () => {
    const f: GalleryFilters = { type: 'video', q: 'red fox', model: 'flux-dev', owner: 'ada', from: '2025-01-02', to: '2025-02-03', sort: 'name', order: 'asc' };
    const search = filtersToSearch(f);
    expect(search).toBe('?type=video&q=red+fox&model=flux-dev&owner=ada&from=2025-01-02&to=2025-02-03&sort=name&order=asc');
    expect(parseFilters(search)).toEqual(f);
  });

  it('gives the default view a bare URL and keeps parameters it does not own', () => {
    expect(filtersToSearch(DEFAULT_FILTERS)).toBe('');
    expect(filtersToSearch({ ...DEFAULT_FILTERS, type: 'image' }, '?debug=1&type=video&q=x')).toBe('?debug=1&type=image');
  });

  it('falls back to defaults for unknown or malformed values', () => {
    expect(parseFilters('?type=pdf&sort=color&order=up&from=2025-13-01&to=yesterday')).toEqual(DEFAULT_FILTERS);
    expect(parseFilters('?from=2025-02-30').from).toBe('');
    expect(parseFilters('?owner=..%2Fadmin').owner).toBe('');
    expect(parseFilters(`?q=${'x'.repeat(500)}`).q).toHaveLength(200);
  });

  it('sends local day bounds to the API as instants and leaves out "all"', () => {
    const p = toApiParams({ ...DEFAULT_FILTERS, from: '2025-01-02', to: '2025-01-02' });
    expect(p.type).toBeUndefined();
    expect(new Date(p.from!).getTime()).toBe(new Date(2025, 0, 2).getTime());
    expect(new Date(p.to!).getTime()).toBe(new Date(2025, 0, 3).getTime() - 1);
    expect(p.sort).toBe('date');
  });
});

describe('matching and ordering of live assets', () => {
  it('tells whether an asset belongs in a view, and defers free-text search to the server', () => {
    expect(matchesFilters(asset(), DEFAULT_FILTERS)).toBe(true);
    expect(matchesFilters(asset(), { ...DEFAULT_FILTERS, type: 'video' })).toBe(false);
    expect(matchesFilters(asset(), { ...DEFAULT_FILTERS, model: 'other' })).toBe(false);
    expect(matchesFilters(asset({ owner: 'ada' }), { ...DEFAULT_FILTERS, owner: 'ada' })).toBe(true);
    expect(matchesFilters(asset(), { ...DEFAULT_FILTERS, owner: 'ada' })).toBe(false);
    expect(matchesFilters(asset({ createdAt: new Date(2025, 0, 5, 12).toISOString() }), { ...DEFAULT_FILTERS, from: '2025-01-06' })).toBe(false);
    expect(matchesFilters(asset({ createdAt: new Date(2025, 0, 5, 23, 59).toISOString() }), { ...DEFAULT_FILTERS, to: '2025-01-05' })).toBe(true);
    expect(matchesFilters(asset(), { ...DEFAULT_FILTERS, q: 'fox' })).toBeNull();
  });

  it('orders by date, name and size in either direction', () => {
    const a = asset({ fileName: 'a.png', size: 5, createdAt: '2025-01-01T00:00:00.000Z' });
    const b = asset({ fileName: 'b.png', size: 9, createdAt: '2025-01-02T00:00:00.000Z' });
    expect(compareAssets('date', 'desc')(b, a)).toBeLessThan(0);
    expect(compareAssets('name', 'asc')(a, b)).toBeLessThan(0);
    expect(compareAssets('size', 'desc')(b, a)).toBeLessThan(0);
    expect(compareAssets('size', 'asc')(b, a)).toBeGreaterThan(0);
  });
});
