import { describe, expect, it } from 'vitest';
import { Asset } from './assets.js';
import { buildSiteAsset, parseSiteManifest } from './sites.js';
import { checked } from './validate.js';

const wholeAsset = checked(Asset);

const manifest = {
  version: 1,
  chatId: 'chat1',
  webUrl: 'https://v0.app/chat/chat1',
  prompt: 'a bakery',
  createdAt: '2030-01-01T00:00:00.000Z',
  updatedAt: '2030-01-02T00:00:00.000Z',
  meta: { provider: 'v0', prompt: 'a bakery', jobId: 'job-1' },
  versions: [
    { id: 'v1', status: 'completed', createdAt: '2030-01-01T00:00:05.000Z', files: ['app/page.tsx'], filesSaved: true, jobId: 'job-1' },
    // v0's answers are copied as they come; this one came without its date.
    { id: 'v2', status: 'completed', files: ['app/page.tsx'], filesSaved: true, jobId: 'job-2' },
  ],
};

describe('site records', () => {
  it('a version v0 sent without a date still makes a whole manifest and a whole asset record', () => {
    const parsed = parseSiteManifest(JSON.stringify(manifest));
    expect(parsed?.versions.map((v) => v.createdAt)).toEqual(['2030-01-01T00:00:05.000Z', '2030-01-02T00:00:00.000Z']);
    // The worker builds its record from the manifest in memory, before any parse: it is whole too.
    const asset = buildSiteAsset(manifest as never, { size: 10 });
    expect(wholeAsset.errors(asset)).toEqual([]);
    expect(asset.site?.versions?.[1]?.createdAt).toBe('2030-01-02T00:00:00.000Z');
  });

  it('names the job of the newest version, so the worker and the gallery reader build the same record', () => {
    const fromFile = buildSiteAsset(parseSiteManifest(JSON.stringify(manifest))!, { size: 10 });
    const fromWorker = buildSiteAsset(parseSiteManifest(JSON.stringify(manifest))!, { size: 10, jobId: 'job-2' });
    expect(fromFile.meta.jobId).toBe('job-2');
    expect(fromFile).toEqual(fromWorker);
  });

  it('is not fooled into reading a foreign site.json as a v0 manifest', () => {
    expect(parseSiteManifest(JSON.stringify({ title: 'hand-made', versions: 'none' }))).toBeNull();
    expect(parseSiteManifest('{not json')).toBeNull();
  });
});
