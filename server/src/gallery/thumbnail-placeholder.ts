import sharp from 'sharp';

/*
 * Stand-ins for a thumbnail we cannot make: a video without ffmpeg, a site without a screenshot, a file
 * that does not decode. They are WebP like real thumbnails (one type for the gallery to handle), made
 * once per kind and kept in memory, and never written to the thumbnail cache.
 */

export type PlaceholderKind = 'video' | 'site' | 'unreadable';

const SIZE = 384;

const GLYPHS: Record<PlaceholderKind, { label: string; glyph: string }> = {
  video: {
    label: 'video',
    glyph: '<circle cx="192" cy="170" r="64" fill="none" stroke="#cbd5e1" stroke-width="8"/><path d="M172 136 L226 170 L172 204 Z" fill="#cbd5e1"/>',
  },
  site: {
    label: 'site',
    glyph:
      '<rect x="112" y="110" width="160" height="120" rx="10" fill="none" stroke="#cbd5e1" stroke-width="8"/>' +
      '<line x1="112" y1="140" x2="272" y2="140" stroke="#cbd5e1" stroke-width="8"/>',
  },
  unreadable: {
    label: 'no preview',
    glyph:
      '<rect x="122" y="110" width="140" height="120" rx="10" fill="none" stroke="#cbd5e1" stroke-width="8"/>' +
      '<line x1="132" y1="220" x2="252" y2="120" stroke="#f87171" stroke-width="8"/>',
  },
};

function svg(kind: PlaceholderKind): string {
  const { label, glyph } = GLYPHS[kind];
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}">` +
    `<rect width="${SIZE}" height="${SIZE}" fill="#1e293b"/>${glyph}` +
    `<text x="192" y="290" font-family="sans-serif" font-size="32" fill="#cbd5e1" text-anchor="middle">${label}</text></svg>`
  );
}

const made = new Map<PlaceholderKind, Promise<Buffer>>();

/** The placeholder WebP for `kind` (rendered on first use). */
export function placeholder(kind: PlaceholderKind): Promise<Buffer> {
  let p = made.get(kind);
  if (!p) {
    p = sharp(Buffer.from(svg(kind))).webp({ quality: 80 }).toBuffer();
    // A failed render is retried next time rather than remembered.
    p.catch(() => made.delete(kind));
    made.set(kind, p);
  }
  return p;
}
