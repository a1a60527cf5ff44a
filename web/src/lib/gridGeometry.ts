/*
 * Layout of the virtual thumbnail grid, and the mapping between the scroll position the browser
 * knows (physical) and the position in the full gallery (virtual).
 *
 * Browsers cap an element's height (Firefox near 17.9M px, Chrome 33.5M px, older Safari lower) and
 * scroll math loses precision long before that. 100,000 thumbnails in 4 columns are ~4M px, so the
 * scroll area is capped at MAX_SCROLL_HEIGHT and, when the gallery is taller, the scroll position
 * maps proportionally onto it: the scrollbar still spans everything and its end is the oldest item.
 */

export const MAX_SCROLL_HEIGHT = 2_000_000;

export interface GridInput {
  /** Inner width of the scroll area (px). */
  width: number;
  /** Visible height of the scroll area (px). */
  viewport: number;
  count: number;
  minTile: number;
  gap: number;
  /** Space around the grid (px). */
  pad: number;
  /** A line under each tile (its caption), px. */
  caption?: number;
  maxHeight?: number;
}

export interface GridGeometry {
  cols: number;
  /** Width of a tile, and height of its picture. */
  tile: number;
  /** Height of the caption under the picture. */
  caption: number;
  /** Picture, caption and gap: the distance between two row tops. */
  rowHeight: number;
  rows: number;
  pad: number;
  gap: number;
  viewport: number;
  /** Height the whole grid would have. */
  contentHeight: number;
  /** Height given to the scroll area: contentHeight, capped. */
  physicalHeight: number;
}

export function gridGeometry({ width, viewport, count, minTile, gap, pad, caption = 0, maxHeight = MAX_SCROLL_HEIGHT }: GridInput): GridGeometry {
  const inner = Math.max(0, width - 2 * pad);
  const cols = Math.max(1, Math.floor((inner + gap) / (minTile + gap)));
  const tile = Math.max(1, Math.floor((inner - gap * (cols - 1)) / cols));
  const rowHeight = tile + caption + gap;
  const rows = Math.ceil(Math.max(0, count) / cols);
  const contentHeight = rows > 0 ? 2 * pad + rows * rowHeight - gap : 0;
  return { cols, tile, caption, rowHeight, rows, pad, gap, viewport, contentHeight, physicalHeight: Math.min(contentHeight, Math.max(maxHeight, viewport)) };
}

/** Largest scrollTop of the (capped) scroll area. */
export function maxPhysical(g: GridGeometry): number {
  return Math.max(0, g.physicalHeight - g.viewport);
}

/** Largest virtual offset: the top of the last screenful of the full grid. */
export function maxVirtual(g: GridGeometry): number {
  return Math.max(0, g.contentHeight - g.viewport);
}

export function isScaled(g: GridGeometry): boolean {
  return g.contentHeight > g.physicalHeight;
}

/** Virtual offset shown at a given scrollTop. Identity unless the grid is taller than the cap. */
export function toVirtual(scrollTop: number, g: GridGeometry): number {
  const s = Math.min(Math.max(0, scrollTop), maxPhysical(g));
  if (!isScaled(g)) return s;
  const sMax = maxPhysical(g);
  return sMax === 0 ? 0 : (s / sMax) * maxVirtual(g);
}

/** The scrollTop that shows a given virtual offset. */
export function toPhysical(virtualTop: number, g: GridGeometry): number {
  const v = Math.min(Math.max(0, virtualTop), maxVirtual(g));
  if (!isScaled(g)) return v;
  const vMax = maxVirtual(g);
  return vMax === 0 ? 0 : (v / vMax) * maxPhysical(g);
}

export function rowTop(row: number, g: GridGeometry): number {
  return g.pad + row * g.rowHeight;
}

/** Rows to render at a virtual offset: those in view plus `overscan` on each side (inclusive range). */
export function visibleRows(virtualTop: number, g: GridGeometry, overscan: number): { first: number; last: number } {
  if (g.rows === 0) return { first: 0, last: -1 };
  const first = Math.max(0, Math.floor((virtualTop - g.pad) / g.rowHeight) - overscan);
  const last = Math.min(g.rows - 1, Math.floor((virtualTop + g.viewport - g.pad) / g.rowHeight) + overscan);
  return { first, last: Math.max(first, last) };
}

/**
 * Virtual offset that brings item `index` into view with the least movement (`auto`), or puts its row
 * at the top (`start`) or in the middle (`center`).
 */
export function offsetForIndex(index: number, currentVirtual: number, g: GridGeometry, align: 'auto' | 'start' | 'center' = 'auto'): number {
  const row = Math.floor(Math.max(0, index) / g.cols);
  const top = rowTop(row, g);
  const bottom = top + g.tile + g.caption;
  let v = currentVirtual;
  if (align === 'start') v = top - g.pad;
  else if (align === 'center') v = top - (g.viewport - g.tile - g.caption) / 2;
  else if (top - g.pad < currentVirtual) v = top - g.pad;
  else if (bottom + g.pad > currentVirtual + g.viewport) v = bottom + g.pad - g.viewport;
  return Math.min(Math.max(0, v), maxVirtual(g));
}
