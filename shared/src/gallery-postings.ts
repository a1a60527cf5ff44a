/*
 * The gallery's posting lists in Redis: for each type, model, owner and search word, the slots of the
 * assets that have it (`t:image`, `m:<model>`, `o:<user>`, `w:<word>`). A list is kept in the cheapest
 * form for its length, and moves up as it grows:
 *
 *   - up to RARE_MAX slots: packed (4 bytes each) in its field of one of BUCKETS shared HASHes
 *     (`pr:<n>`), so the million words seen once or twice (seeds, counters in file names) cost a
 *     listpack entry each, not a key each;
 *   - up to SET_MAX slots: a SET of slots (`ps:<name>`; an intset up to 512, compact);
 *   - beyond: a bitmap over all slots (`pb:<name>`): a word in 3% of a million assets costs 125 KB
 *     instead of the ~4 MB a sorted set took.
 *
 * The bucket field of a list moved up holds a one-byte marker ('s' or 'b') instead of slots, so one
 * HGET tells where any list is: adding a slot costs two or three Redis calls. A list never moves down
 * (a bitmap or set that empties is deleted, and its marker with it).
 *
 * Queries turn every list they use into a bitmap (BITOP AND / OR), so filters and searches intersect at
 * memory speed; the order of a page comes from the sorted sets of slots (time, size, name). Lua
 * (lua/gallery/postings.fragment.lua), shared by the writers (gallery-index.ts) and the query
 * (server/src/gallery/query-script.ts), so both read the tiers the same way. Every function takes the list's keys as its caller declared them
 * (postingKeys): no script builds a key name (Redis Cluster).
 */

import type { LuaFragment } from './lua-script.js';

export const RARE_MAX = 15;
export const SET_MAX = 2048;
export const BUCKETS = 16384;

/** The bucket of a posting list (which `pr:<n>` HASH holds it while it is short): djb2 over its UTF-8 bytes. */
export function postingBucket(name: string): number {
  let h = 5381;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x80) h = (h * 33 + c) % 16777216;
    else {
      for (const byte of Buffer.from(name.slice(i), 'utf8')) h = (h * 33 + byte) % 16777216;
      break;
    }
  }
  return h % BUCKETS;
}

/**
 * The three keys a posting list may live in — its bucket HASH, its SET, its bitmap — in the order the
 * Lua functions below take them. Scripts get them declared (KEYS), never build them (Redis Cluster).
 */
export function postingKeys(index: string, name: string): [bucket: string, set: string, bits: string] {
  return [`${index}pr:${postingBucket(name)}`, `${index}ps:${name}`, `${index}pb:${name}`];
}

/**
 * The posting-list functions (postAdd, postDel, postInto) in Lua, a fragment the gallery's writers
 * (gallery-index-scripts.ts) and its query (server/src/gallery/query-script.ts) include.
 */
export const POSTINGS_LUA: LuaFragment = {
  file: new URL('../lua/gallery/postings.fragment.lua', import.meta.url),
  constants: { RARE_MAX, SET_MAX },
};
