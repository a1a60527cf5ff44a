/*
 * Opaque cursors of GET /api/assets. Under date or size order: the score (time or size) of the last
 * item served, how many items with exactly that score were served up to it, and a short hash of the
 * sort and filters the cursor belongs to. Under name order: the last item's place in the name order
 * itself (its lowercased name and slot), which is unique. Items added between two fetches have their
 * own scores, so under newest-first they land before the cursor and never shift the pages still to come.
 */
import { badRequest } from '../errors.js';

export type GalleryCursor = { view: string } & ({ score: number; skip: number } | { member: string });

const SCORE = /^g1\.(-?\d{1,17})\.(\d{1,9})\.([0-9a-f]{8})$/;
const MEMBER = /^g2\.([0-9a-f]{8})\.([\s\S]{1,1200})$/;

export function encodeGalleryCursor(c: GalleryCursor): string {
  if ('member' in c) return Buffer.from(`g2.${c.view}.${c.member}`, 'utf8').toString('base64url');
  return Buffer.from(`g1.${c.score}.${c.skip}.${c.view}`).toString('base64url');
}

/** Throws 400 `invalid_cursor` for text this server did not make, or made for another view. */
export function decodeGalleryCursor(text: string, view: string): GalleryCursor {
  const raw = Buffer.from(text, 'base64url').toString('utf8');
  const score = SCORE.exec(raw);
  const member = score ? null : MEMBER.exec(raw);
  if (!score && !member) throw badRequest('invalid_cursor', 'The cursor is not one this server made; start again without ?cursor=');
  if ((score?.[3] ?? member?.[1]) !== view) throw badRequest('invalid_cursor', 'The cursor belongs to another sort or filter; start again without ?cursor=');
  if (score) return { score: Number(score[1]), skip: Number(score[2]), view };
  // A member is '<name>\0<slot>': anything else was not made here.
  if (!/\0\d+$/.test(member![2]!)) throw badRequest('invalid_cursor', 'The cursor is not one this server made; start again without ?cursor=');
  return { member: member![2]!, view };
}
