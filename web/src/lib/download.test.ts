import { describe, expect, it } from 'vitest';
import { ZIP_CHUNK, fileDownloadUrl, zipDownloadBodies } from './download';

describe('downloads', () => {
  it('asks the file route for an attachment', () => {
    expect(fileDownloadUrl({ url: '/api/assets/ab/file' })).toBe('/api/assets/ab/file?download=1');
  });

  it('posts a selection as one body per chunk the server takes', () => {
    const ids = Array.from({ length: ZIP_CHUNK + 1 }, (_, i) => i.toString(16).padStart(16, '0'));
    const bodies = zipDownloadBodies(ids);
    expect(bodies).toHaveLength(2);
    expect(bodies[0]!.split(',')).toHaveLength(ZIP_CHUNK);
    expect(bodies[1]).toBe(ids[ids.length - 1]);
    expect(zipDownloadBodies(ids.slice(0, 3))).toEqual([ids.slice(0, 3).join(',')]);
  });
});
