/** Where the popover goes: pinned by its top edge (opening down) or its bottom edge (opening up). */
export type Placement = { left: number; width: number; maxHeight: number } & ({ top: number } | { bottom: number });

const GAP = 4;
const MARGIN = 8;
const WIDTH = 500;
const MAX_HEIGHT = 480;
/** Below this much room under the trigger, the popover opens upwards if there is more room there. */
const MIN_HEIGHT = 280;

/**
 * The popover's place next to its trigger: under it (above when there is more room there), at least
 * as wide as the trigger and wider when the viewport allows, always inside the viewport. Its height
 * follows the results up to `maxHeight`; opening upwards it is pinned by its bottom edge, so a short
 * list still touches the trigger.
 */
export function placePopover(anchor: Pick<DOMRect, 'top' | 'bottom' | 'left' | 'width'>, viewport: { width: number; height: number }): Placement {
  const width = Math.max(0, Math.min(Math.max(anchor.width, WIDTH), viewport.width - 2 * MARGIN));
  const left = Math.max(MARGIN, Math.min(anchor.left, viewport.width - width - MARGIN));
  const below = viewport.height - anchor.bottom - GAP - MARGIN;
  const above = anchor.top - GAP - MARGIN;
  if (below >= MIN_HEIGHT || below >= above) return { left, width, maxHeight: Math.max(0, Math.min(MAX_HEIGHT, below)), top: anchor.bottom + GAP };
  return { left, width, maxHeight: Math.max(0, Math.min(MAX_HEIGHT, above)), bottom: viewport.height - anchor.top + GAP };
}
