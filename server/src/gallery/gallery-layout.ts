/*
 * Finding an index of an older layout. Layout 2 (shared/src/gallery-index.ts) keeps everything under
 * `<prefix>:gallery:x:`; layout 1 kept a JSON record per asset at `<prefix>:asset:<id>`, its date order
 * at `<prefix>:assets` and its other indexes (and a `sig` hash, a `gen` counter) straight under
 * `<prefix>:gallery:`. Layout 2 never reads those keys, so there is nothing to migrate: the first
 * server to start on them deletes them, and the startup rescan, finding no layout-2 record for any
 * file, indexes every file again (the files and their sidecars are the truth). The trash list
 * (`gallery:trash…`) and the rescan lock are kept.
 */
import type { Redis } from 'ioredis';

/** Keys whose presence says a layout-1 index is (still) there. */
function markers(prefix: string): string[] {
  return [`${prefix}:assets`, `${prefix}:gallery:sig`, `${prefix}:gallery:gen`, `${prefix}:gallery:words`];
}

function isKept(key: string, prefix: string): boolean {
  const g = `${prefix}:gallery:`;
  if (!key.startsWith(g)) return false;
  const rest = key.slice(g.length);
  return rest.startsWith('x:') || rest === 'trash' || rest.startsWith('trash:') || rest === 'rescan-lock';
}

/** Deletes a layout-1 index under `prefix` if there is one; returns how many keys went. */
export async function dropOldLayout(redis: Redis, prefix: string): Promise<number> {
  if ((await redis.exists(...markers(prefix))) === 0) return 0;
  let dropped = 0;
  for (const pattern of [`${prefix}:asset:*`, `${prefix}:gallery:*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 2000);
      cursor = next;
      const old = keys.filter((k) => !isKept(k, prefix));
      if (old.length > 0) dropped += await redis.unlink(...old);
    } while (cursor !== '0');
  }
  dropped += await redis.unlink(...markers(prefix));
  return dropped;
}
