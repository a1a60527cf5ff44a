import { describe, expect, it } from 'vitest';
import { nextIndex } from './listNavigation';

describe('nextIndex (listbox keys)', () => {
  it('moves by one with the arrows and stops at the ends instead of wrapping', () => {
    expect(nextIndex('ArrowDown', 3, 10, 5)).toBe(4);
    expect(nextIndex('ArrowDown', 9, 10, 5)).toBe(9);
    expect(nextIndex('ArrowUp', 3, 10, 5)).toBe(2);
    expect(nextIndex('ArrowUp', 0, 10, 5)).toBe(0);
  });

  it('starts at the top when nothing is active yet', () => {
    expect(nextIndex('ArrowDown', -1, 10, 5)).toBe(0);
    expect(nextIndex('ArrowUp', -1, 10, 5)).toBe(0);
    expect(nextIndex('PageDown', -1, 10, 5)).toBe(5);
  });

  it('jumps to the first and last option with Home and End, and by a page with PageUp/PageDown', () => {
    expect(nextIndex('Home', 7, 5000, 6)).toBe(0);
    expect(nextIndex('End', 7, 5000, 6)).toBe(4999);
    expect(nextIndex('PageDown', 7, 5000, 6)).toBe(13);
    expect(nextIndex('PageDown', 4998, 5000, 6)).toBe(4999);
    expect(nextIndex('PageUp', 7, 5000, 6)).toBe(1);
    expect(nextIndex('PageUp', 3, 5000, 6)).toBe(0);
  });

  it('ignores other keys and empty lists', () => {
    expect(nextIndex('a', 3, 10, 5)).toBeNull();
    expect(nextIndex('Enter', 3, 10, 5)).toBeNull();
    expect(nextIndex('ArrowDown', -1, 0, 5)).toBeNull();
  });
});
