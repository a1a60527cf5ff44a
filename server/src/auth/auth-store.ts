import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisKeys, type RedisKeys, type Role, type TokenScope, type TokenView, type UserView } from '@orchestrator/shared';

/*
 * Users, sessions and API tokens in Redis. Secrets are stored hashed: a password with scrypt
 * (passwords.ts), a session cookie and a token with SHA-256 (they are long random strings, so a fast
 * hash is enough and lookups stay one GET).
 */

export interface StoredUser extends UserView {
  passwordHash: string;
}

export interface StoredToken extends TokenView {
  /** SHA-256 of the token, hex: the key it is stored under. */
  hash: string;
}

export interface Session {
  user: string;
  createdAt: string;
}

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export class AuthStore {
  private readonly keys: RedisKeys['auth'];

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = redisKeys(prefix).auth;
  }

  async user(name: string): Promise<StoredUser | null> {
    const raw = await this.redis.hget(this.keys.users, name);
    return raw ? (JSON.parse(raw) as StoredUser) : null;
  }

  async users(): Promise<StoredUser[]> {
    const all = await this.redis.hvals(this.keys.users);
    return all.map((raw) => JSON.parse(raw) as StoredUser).sort((a, b) => a.name.localeCompare(b.name));
  }

  async userCount(): Promise<number> {
    return this.redis.hlen(this.keys.users);
  }

  /** Stores a new user; false when the name is taken. */
  async createUser(user: StoredUser): Promise<boolean> {
    return (await this.redis.hsetnx(this.keys.users, user.name, JSON.stringify(user))) === 1;
  }

  async saveUser(user: StoredUser): Promise<void> {
    await this.redis.hset(this.keys.users, user.name, JSON.stringify(user));
  }

  /** Removes the user, with every token they had. Sessions end at their next use (their user is gone). */
  async deleteUser(name: string): Promise<boolean> {
    const removed = await this.redis.hdel(this.keys.users, name);
    for (const t of await this.tokens()) if (t.user === name) await this.redis.hdel(this.keys.tokens, t.hash);
    return removed === 1;
  }

  /** A new session for `user`; returns the cookie value (only its hash is stored). */
  async createSession(user: string, ttlMs: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const session: Session = { user, createdAt: new Date().toISOString() };
    await this.redis.set(this.keys.session(sha256(token)), JSON.stringify(session), 'PX', ttlMs);
    return token;
  }

  async session(token: string): Promise<Session | null> {
    const raw = await this.redis.get(this.keys.session(sha256(token)));
    return raw ? (JSON.parse(raw) as Session) : null;
  }

  async endSession(token: string): Promise<void> {
    await this.redis.del(this.keys.session(sha256(token)));
  }

  /** A new API token; returns it with its record (only its hash is stored). */
  async createToken(user: string, name: string, scope: TokenScope): Promise<{ token: string; record: StoredToken }> {
    const token = `orch_${randomBytes(30).toString('base64url')}`;
    const hash = sha256(token);
    const record: StoredToken = { id: hash.slice(0, 16), hash, name, scope, user, createdAt: new Date().toISOString(), prefix: token.slice(0, 9) };
    await this.redis.hset(this.keys.tokens, hash, JSON.stringify(record));
    return { token, record };
  }

  async token(token: string): Promise<StoredToken | null> {
    const raw = await this.redis.hget(this.keys.tokens, sha256(token));
    return raw ? (JSON.parse(raw) as StoredToken) : null;
  }

  async tokens(): Promise<StoredToken[]> {
    return (await this.redis.hvals(this.keys.tokens)).map((raw) => JSON.parse(raw) as StoredToken);
  }

  async revokeToken(record: StoredToken): Promise<void> {
    await this.redis.hdel(this.keys.tokens, record.hash);
  }

  async touchToken(record: StoredToken): Promise<void> {
    await this.redis.hset(this.keys.tokens, record.hash, JSON.stringify({ ...record, lastUsedAt: new Date().toISOString() }));
  }

  /** Counts a failed login for this key; returns how many in the window and the seconds left in it. */
  async failed(key: string, windowSec: number): Promise<{ count: number; ttlSec: number }> {
    const k = this.keys.failures(sha256(key));
    const [[, count], [, ttl]] = (await this.redis.multi().incr(k).ttl(k).exec()) as [[null, number], [null, number]];
    if (ttl < 0) await this.redis.expire(k, windowSec);
    return { count, ttlSec: ttl < 0 ? windowSec : ttl };
  }

  async failures(key: string): Promise<{ count: number; ttlSec: number }> {
    const k = this.keys.failures(sha256(key));
    const [count, ttl] = await Promise.all([this.redis.get(k), this.redis.ttl(k)]);
    return { count: Number(count ?? 0), ttlSec: Math.max(0, ttl) };
  }

  async clearFailures(key: string): Promise<void> {
    await this.redis.del(this.keys.failures(sha256(key)));
  }
}

export function userView(u: StoredUser): UserView {
  return { name: u.name, role: u.role, createdAt: u.createdAt };
}

export function tokenView(t: StoredToken): TokenView {
  const { hash: _hash, ...view } = t;
  return view;
}

export type { Role };
