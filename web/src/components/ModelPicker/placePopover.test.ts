import { describe, expect, it } from 'vitest';
import { placePopover } from './placePopover';

const viewport = { width: 1440, height: 900 };

describe('placePopover', () => {
  it('opens under the trigger, wider than a narrow sidebar trigger', () => {
    expect(placePopover({ top: 100, bottom: 140, left: 16, width: 320 }, viewport)).toEqual({ left: 16, width: 500, maxHeight: 480, top: 144 });
  });

  it('opens above a trigger near the bottom of the window, pinned by its bottom edge, inside the window', () => {
    const p = placePopover({ top: 760, bottom: 800, left: 1300, width: 120 }, viewport);
    expect(p).toMatchObject({ bottom: 900 - 760 + 4, maxHeight: 480 });
    expect(p.left + p.width).toBeLessThanOrEqual(1440 - 8);
  });

  it('never gets wider or taller than the window', () => {
    const p = placePopover({ top: 10, bottom: 40, left: 0, width: 300 }, { width: 400, height: 300 });
    expect(p).toEqual({ left: 8, width: 384, maxHeight: 248, top: 44 });
  });
});
