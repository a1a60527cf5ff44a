/*
 * Opaque cursors of GET /api/assets: the score (time, size or name label) of the last item served, how
 * many items with exactly that score were served up to it, and a short hash of the sort and filters the
 * cursor belongs to. Items added between two fetches have their own scores, so under newest-first they
 * land before the cursor and never shift the pages still to come.
 */
import { badRequest } from '../errors.js';

export interface GalleryCursor {
  score: number;
  skip: number;
  /** Hash of the sort and filters; a cursor is only valid for the view that made it. */
  view: string;
}

const PATTERN = /^g1\.(-?\d{1,17})\.(\d{1,9})\.([0-9a-f]{8})$/;

export function encodeGalleryCursor(c: GalleryCursor): string {
  return Buffer.from(`g1.${c.score}.${c.skip}.${c.view}`).toString('base64url');
}

/** Throws 400 `invalid_cursor` for text this server did not make, or made for another view. */
export function decodeGalleryCursor(text: string, view: string): GalleryCursor {
  const m = PATTERN.exec(Buffer.from(text, 'base64url').toString('latin1'));
  if (!m) throw badRequest('invalid_cursor', 'The cursor is not one this server made; start again without ?cursor=');
  if (m[3] !== view) throw badRequest('invalid_cursor', 'The cursor belongs to another sort or filter; start again without ?cursor=');
  return { score: Number(m[1]), skip: Number(m[2]), view };
}
