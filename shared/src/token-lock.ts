import { LuaScript } from './lua-script.js';

/*
 * A lock held with a random token (SET key token PX ttl NX): only its holder may renew or release it.
 * The rescan lock (server) and a backend's owner key (worker) use these.
 */

/** KEYS: the lock. ARGV: token. 1 when it was still the holder's and is gone. */
export const RELEASE_TOKEN_LOCK = LuaScript.fromFile(new URL('../lua/lock/release.lua', import.meta.url));
/** KEYS: the lock. ARGV: token, ttl (ms). 1 when it was still the holder's and got the ttl. */
export const RENEW_TOKEN_LOCK = LuaScript.fromFile(new URL('../lua/lock/renew.lua', import.meta.url));
