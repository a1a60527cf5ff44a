import { LuaScript, POSTINGS_LUA } from '@orchestrator/shared';

/**
 * One gallery page: its total, cursor and ids (the caller reads the records). ARGV[1] is a JSON spec (GalleryQuery.list).
 * The index (layout 2, shared/src/gallery-index.ts): orders are sorted sets of slots (`time`, `size`)
 * or of `<name>\0<slot>` (`names`); filters and search words are posting lists of slots
 * (gallery-postings.ts).
 *
 * 1. Filters and search become one bitmap F: each list as a bitmap, the search prefix as the OR of the
 *    words it expands to, then an AND. F and its count M are kept `ttl` ms at the index generation
 *    they were built at (every put and remove bumps it, so a page never shows a stale view).
 * 2. The page, by one of three routes:
 *    - direct: no filter, and a date range only under date order → a range of the order itself;
 *    - walk: a filter and no range → read the order from the page's start, keep the slots set in F
 *      (F is read into Lua once). Cheap while matches are common; it is only taken when the expected
 *      number of reads, (offset + limit) × N / M, stays under `walkMax`, and gives up past twice that;
 *    - view: everything else (rare matches, deep offsets, a date range with a filter or under another
 *      order) → the matching slots are put, with their sort scores, in a sorted set kept like F, and
 *      the page is a range of it. Its members come from F's bits or from the time range, whichever is
 *      smaller.
 * 3. The next cursor, exact even among equal scores: the last item's score and how many items of the
 *    view with that score come up to and including it; under name order, the last member itself.
 *
 * Every key it touches is declared (Redis Cluster): KEYS are the QUERY_KEYS fixed ones (generation,
 * slot ids, date order, the page's order, the cached bitmap F, the view and their marks, a scratch
 * bitmap for the search words), then four per filter list (a scratch bitmap, then postingKeys) and
 * three per search word. The caller expands the search prefix into words (ZRANGEBYLEX) and reads the
 * page's records (MGET) itself, as their key names are only known then; a name-ordered view of rare
 * matches needs the records' name keys, so the script hands the caller its slots ('n') and the caller
 * builds the view with VIEW_FILL_SCRIPT, then asks again.
 *
 * Returns [total, cursorKind ('' none, 's' score, 'm' member), c1, c2, id1, id2, …]; or ['n', gen, slot1,
 * id1, …] (build the name view first), or ['g'] (the search words changed since they were read: read again).
 */
export const QUERY_KEYS = 9;
export const GALLERY_QUERY_SCRIPT = LuaScript.fromFile(new URL('../../lua/gallery/query.lua', import.meta.url), {
  fragments: [POSTINGS_LUA],
  constants: { QUERY_KEYS },
});

/**
 * The name-ordered view of the matches GALLERY_QUERY_SCRIPT handed over ('n'): KEYS view, its mark,
 * the generation; ARGV the generation it was asked at, ttl (ms), then the members (`<name>\0<slot>`).
 * Built only if the index has not changed since (returns 1), else 0 (ask again).
 */
export const VIEW_FILL_SCRIPT = LuaScript.fromFile(new URL('../../lua/gallery/view-fill.lua', import.meta.url));
