import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, nextCursor } from './cursor.js';

describe('score cursors', () => {
  it('round-trips and rejects foreign text', () => {
    const c = { maxScore: 1764000000123, skip: 3 };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
    expect(decodeCursor('not-a-cursor')).toBeNull();
    expect(decodeCursor(encodeCursor({ maxScore: 1, skip: 0 }) + '!!')).toBeNull();
  });

  it('counts items sharing the last score, carrying the skip across pages of equal scores', () => {
    expect(nextCursor(null, [{ score: 9 }, { score: 5 }, { score: 5 }])).toEqual({ maxScore: 5, skip: 2 });
    expect(nextCursor({ maxScore: 5, skip: 2 }, [{ score: 5 }, { score: 5 }])).toEqual({ maxScore: 5, skip: 4 });
    expect(nextCursor({ maxScore: 5, skip: 2 }, [{ score: 5 }, { score: 4 }])).toEqual({ maxScore: 4, skip: 1 });
    expect(nextCursor(null, [])).toBeNull();
  });
});
