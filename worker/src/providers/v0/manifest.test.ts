import { describe, expect, it } from 'vitest';
import { versionEntry } from './manifest.js';

describe('versionEntry', () => {
  it('keeps the date v0 reported', () => {
    expect(versionEntry({ id: 'v1', status: 'completed', createdAt: '2026-01-02T03:04:05.000Z' }).createdAt).toBe('2026-01-02T03:04:05.000Z');
  });

  it('gives a version v0 reported without a readable date the time it was seen (a site record needs one)', () => {
    const now = new Date('2026-12-03T10:00:00.000Z');
    expect(versionEntry({ id: 'v1', status: 'completed' } as never, {}, now).createdAt).toBe(now.toISOString());
    expect(versionEntry({ id: 'v1', status: 'completed', createdAt: 'yesterday' }, {}, now).createdAt).toBe(now.toISOString());
  });
});
