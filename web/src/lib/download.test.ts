import { describe, expect, it } from 'vitest';
import { DOWNLOAD_CHUNK, fileDownloadUrl, zipDownloadUrls } from './download';

describe('downloads', () => {
  it('asks the file route for an attachment', () => {
    expect(fileDownloadUrl({ url: '/api/assets/ab/file' })).toBe('/api/assets/ab/file?download=1');
  });

  it('zips a selection in chunks small enough for a request line', () => {
    const ids = Array.from({ length: DOWNLOAD_CHUNK * 2 + 1 }, (_, i) => i.toString(16).padStart(16, '0'));
    const urls = zipDownloadUrls(ids);
    expect(urls).toHaveLength(3);
    expect(urls[0]!.startsWith('/api/assets/download?ids=0000000000000000,0000000000000001')).toBe(true);
    expect(urls[2]).toBe(`/api/assets/download?ids=${ids[ids.length - 1]}`);
    expect(Math.max(...urls.map((u) => u.length))).toBeLessThan(16 * 1024 - 1024);
  });
});
