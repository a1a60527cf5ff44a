import { LuaScript } from '@orchestrator/shared';

/**
 * A page of a plain sorted set of ids scored by time (the trash), newest first: by `offset` (rank) or
 * from the score bound `a` skipping `skip` items (cursors), one item more than asked to know whether
 * there is a next page. KEYS[1] is the set. Returns [total, nextScore | '', nextSkip, id1, score1, …].
 */
export const ZSET_PAGE_SCRIPT = LuaScript.fromFile(new URL('../../lua/gallery/zset-page.lua', import.meta.url));
