import { describe, expect, it } from 'vitest';
import { applyClick, clickMode, EMPTY_SELECTION, rangeIds, withoutIds } from './selectionRange';

const loaded = new Map([0, 1, 2, 3, 5, 6].map((i) => [i, `a${i}`]));
const idAt = (i: number) => loaded.get(i);

describe('multi-selection', () => {
  it('reads the mode from the modifier keys', () => {
    expect(clickMode({ shiftKey: false, ctrlKey: false, metaKey: false })).toBe('replace');
    expect(clickMode({ shiftKey: false, ctrlKey: false, metaKey: true })).toBe('toggle');
    expect(clickMode({ shiftKey: true, ctrlKey: true, metaKey: false })).toBe('range');
  });

  it('selects one, toggles with Ctrl/Cmd, and ranges from the anchor with Shift', () => {
    let s = applyClick(EMPTY_SELECTION, 'a1', 1, 'replace', idAt);
    expect([...s.ids]).toEqual(['a1']);
    s = applyClick(s, 'a3', 3, 'toggle', idAt);
    expect([...s.ids].sort()).toEqual(['a1', 'a3']);
    s = applyClick(s, 'a3', 3, 'toggle', idAt);
    expect([...s.ids]).toEqual(['a1']);
    expect(s.anchor).toBe(3);
    s = applyClick(s, 'a6', 6, 'range', idAt);
    expect([...s.ids]).toEqual(['a3', 'a5', 'a6']); // 4 is not loaded
    s = applyClick(s, 'a0', 0, 'range', idAt);
    expect([...s.ids].sort()).toEqual(['a0', 'a1', 'a2', 'a3']);
  });

  it('adds a range to the selection with Ctrl/Cmd+Shift', () => {
    const s = applyClick({ ids: new Set(['a6']), anchor: 0 }, 'a2', 2, 'range', idAt, true);
    expect([...s.ids].sort()).toEqual(['a0', 'a1', 'a2', 'a6']);
  });

  it('lists ranges in either direction and forgets removed ids', () => {
    expect(rangeIds(3, 1, idAt)).toEqual(['a1', 'a2', 'a3']);
    const s = { ids: new Set(['a1', 'a2']), anchor: 1 };
    expect([...withoutIds(s, ['a2', 'zz']).ids]).toEqual(['a1']);
    expect(withoutIds(s, ['zz'])).toBe(s);
  });
});
