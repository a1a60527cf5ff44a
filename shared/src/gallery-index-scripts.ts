/*
 * The gallery index's writing scripts (layout 2; what they keep is described in gallery-index.ts, the
 * posting lists in gallery-postings.ts). Each runs as one command: a record and all of its index
 * entries change together or not at all. Every key a script touches is declared (KEYS), the posting
 * lists' too (postingKeys): no script builds a key name, as Redis Cluster requires.
 */
import { POSTINGS_LUA } from './gallery-postings.js';
import { LuaScript, type LuaConstants, type LuaFragment } from './lua-script.js';

// Header fields of a stored record and the index entries of one posting list (put.lua and remove.lua).
const HEAD_LUA: LuaFragment = { file: new URL('../lua/gallery/head.fragment.lua', import.meta.url) };
const script = (name: string, constants: LuaConstants = {}) =>
  LuaScript.fromFile(new URL(`../lua/gallery/${name}.lua`, import.meta.url), { fragments: [POSTINGS_LUA, HEAD_LUA], constants });

/** The fixed keys of PUT_LUA, in order (gallery-index.ts sends them, then 3 per posting list). */
export const PUT_KEYS = 11;
/** The fixed keys of REMOVE_LUA, in order. */
export const REMOVE_KEYS = 9;

// A record and its index entries, as one command; KEYS and ARGV: lua/gallery/put.lua.
// Returns {0 same content | 1 new | 2 changed | -1 read again, slot}.
export const PUT_LUA = script('put', { PUT_KEYS });

// Returns 1 removed, 0 no record, -1 read again. KEYS and ARGV: lua/gallery/remove.lua.
export const REMOVE_LUA = script('remove', { REMOVE_KEYS });

// KEYS: records. Returns the start of each (its header's slot, hash and signature), or false.
export const HEADS_LUA = LuaScript.fromFile(new URL('../lua/gallery/heads.lua', import.meta.url));
