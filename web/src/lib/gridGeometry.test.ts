import { describe, expect, it } from 'vitest';
import { gridGeometry, isScaled, maxPhysical, maxVirtual, offsetForIndex, rowTop, toPhysical, toVirtual, visibleRows, MAX_SCROLL_HEIGHT } from './gridGeometry';

const base = { width: 800, viewport: 600, minTile: 150, gap: 8, pad: 8 };

describe('grid layout', () => {
  it('fits as many columns of at least the minimum tile as the width allows', () => {
    const g = gridGeometry({ ...base, count: 10 });
    expect(g.cols).toBe(5); // (800 - 2·8 + 8) / (150 + 8)
    expect(g.tile).toBeGreaterThanOrEqual(150);
    expect(g.rows).toBe(2);
    expect(gridGeometry({ ...base, width: 100, count: 10 }).cols).toBe(1);
  });

  it('leaves room under each tile for its caption', () => {
    const g = gridGeometry({ ...base, count: 10, caption: 20 });
    expect(g.rowHeight).toBe(g.tile + 20 + 8);
    expect(g.contentHeight).toBe(2 * 8 + 2 * g.rowHeight - 8);
    // Revealing the second row shows its caption too.
    const v = offsetForIndex(5, 0, { ...g, viewport: g.rowHeight + 4 }, 'auto');
    expect(v + g.rowHeight + 4).toBeGreaterThanOrEqual(rowTop(1, g) + g.tile + 20);
  });

  it('renders only the rows in view plus overscan', () => {
    const g = gridGeometry({ ...base, count: 100_000 });
    const { first, last } = visibleRows(toVirtual(10_000, g), g, 2);
    expect(last - first + 1).toBeLessThanOrEqual(Math.ceil(600 / g.rowHeight) + 1 + 4);
    expect(rowTop(first, g)).toBeLessThanOrEqual(toVirtual(10_000, g));
  });
});

describe('scroll mapping past the browser height limit', () => {
  it('is the identity while the grid fits under the cap', () => {
    const g = gridGeometry({ ...base, count: 1000 });
    expect(isScaled(g)).toBe(false);
    expect(toVirtual(1234, g)).toBe(1234);
    expect(toPhysical(1234, g)).toBe(1234);
  });

  it('caps the scroll area and still reaches the first and the last row of 100,000 items', () => {
    const g = gridGeometry({ ...base, count: 100_000 });
    expect(g.contentHeight).toBeGreaterThan(MAX_SCROLL_HEIGHT);
    expect(g.physicalHeight).toBe(MAX_SCROLL_HEIGHT);
    expect(toVirtual(0, g)).toBe(0);
    expect(toVirtual(maxPhysical(g), g)).toBe(maxVirtual(g));
    const { last } = visibleRows(toVirtual(maxPhysical(g), g), g, 0);
    expect(last).toBe(g.rows - 1);
    // Monotonic and invertible in between.
    const mid = maxPhysical(g) / 3;
    expect(toPhysical(toVirtual(mid, g), g)).toBeCloseTo(mid, 6);
    expect(toVirtual(mid + 1, g)).toBeGreaterThan(toVirtual(mid, g));
  });

  it('clamps positions outside the scroll range', () => {
    const g = gridGeometry({ ...base, count: 100_000 });
    expect(toVirtual(-50, g)).toBe(0);
    expect(toVirtual(maxPhysical(g) + 500, g)).toBe(maxVirtual(g));
  });

  it('scrolls an item into view with the least movement', () => {
    const g = gridGeometry({ ...base, count: 1000 });
    expect(offsetForIndex(0, 0, g)).toBe(0);
    const below = offsetForIndex(40, 0, g);
    const row = Math.floor(40 / g.cols);
    expect(rowTop(row, g) + g.tile).toBeLessThanOrEqual(below + g.viewport);
    expect(rowTop(row, g)).toBeGreaterThanOrEqual(below);
    expect(offsetForIndex(40, below, g)).toBe(below);
    expect(offsetForIndex(999, 0, g)).toBe(maxVirtual(g));
  });
});
