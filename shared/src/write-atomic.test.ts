import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempNameFor, writeAtomic } from './write-atomic.js';

describe('writeAtomic', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'write-atomic-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes bytes or whatever the writer puts at the temp path, and leaves no temp file', async () => {
    await writeAtomic(path.join(dir, 'a.txt'), 'one');
    await writeAtomic(path.join(dir, 'a.txt'), async (tmp) => {
      expect(path.basename(tmp)).toMatch(/^\.a\.txt\.[0-9a-f]{8}\.part$/);
      await writeFile(tmp, 'two');
    });
    expect(await readFile(path.join(dir, 'a.txt'), 'utf8')).toBe('two');
    expect(await readdir(dir)).toEqual(['a.txt']);
  });

  it('keeps the old file and removes the temp one when the write fails', async () => {
    await writeAtomic(path.join(dir, 'b.webp'), 'old', '.tmp');
    await expect(
      writeAtomic(path.join(dir, 'b.webp'), async (tmp) => {
        await writeFile(tmp, 'half');
        throw new Error('disk gone');
      }, '.tmp'),
    ).rejects.toThrow('disk gone');
    expect(await readFile(path.join(dir, 'b.webp'), 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['b.webp']);
  });

  it('names thumbnail temp files so the sweep knows them (`*.tmp`)', () => {
    expect(tempNameFor('/c/ab/abcd-1.webp', '.tmp')).toMatch(/^\/c\/ab\/\.abcd-1\.webp\.[0-9a-f]{8}\.tmp$/);
  });
});
