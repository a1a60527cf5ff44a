import { describe, expect, it } from 'vitest';
import { entryName, shouldCompress, uniqueName } from './zip-download.js';

describe('zip entry names', () => {
  it('numbers clashes as "a (1).png", ignoring case, and keeps names without an extension', () => {
    const taken = new Set<string>();
    expect(['a.png', 'a.png', 'A.PNG', 'a (1).png', 'README', 'readme', '.env', '.env'].map((n) => uniqueName(n, taken))).toEqual([
      'a.png',
      'a (1).png',
      'A (2).PNG',
      'a (1) (1).png',
      'README',
      'readme (1)',
      '.env',
      '.env (1)',
    ]);
  });

  it('keeps only a safe base name, falling back when nothing is left', () => {
    expect(entryName('../../etc/passwd', 'x')).toBe('passwd');
    expect(entryName('C:\\Windows\\win.ini', 'x')).toBe('win.ini');
    expect(entryName('a\u0000b<c>:"|?*.png', 'x')).toBe('a_b_c______.png');
    expect(entryName('..', 'fallback.png')).toBe('fallback.png');
    expect(entryName('dir/', 'fallback.png')).toBe('fallback.png');
  });

  it('stores formats that are already compressed and deflates the rest', () => {
    expect(['a.png', 'b.JPG', 'c.webp', 'd.mp4', 'e.webm'].map(shouldCompress)).toEqual([false, false, false, false, false]);
    expect(['a.json', 'b.txt', 'c.html', 'noext'].map(shouldCompress)).toEqual([true, true, true, true]);
  });
});
