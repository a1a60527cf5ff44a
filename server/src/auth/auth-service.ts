import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import {
  accessRank,
  type Config,
  type Role,
  type TokenCreated,
  type TokenScope,
  type TokenView,
  type UserCreate,
  type UserPatch,
  type UserView,
} from '@orchestrator/shared';
import { HttpError, conflict, notFound } from '../errors.js';
import { AuthStore, tokenView, userView, type StoredToken } from './auth-store.js';
import { DUMMY_HASH, hashPassword, verifyPassword } from './passwords.js';
import { LOCAL_ADMIN, type Principal } from './principal.js';

/*
 * Team mode's logic: who a request is (session cookie or Bearer token), logging in and out with
 * throttling, personal API tokens, and users (admin only). In local mode everyone is LOCAL_ADMIN.
 */

export const SESSION_COOKIE = 'orch_session';
const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
/** Failed logins for one name from one address before it has to wait (for the rest of the window). */
const MAX_FAILURES = 5;
const FAILURE_WINDOW_SEC = 15 * 60;

export const unauthorized = () => new HttpError('unauthorized', 'Log in first, or send Authorization: Bearer <API token>');
export const forbidden = (what: string) => new HttpError('forbidden', what);

/** A cookie's value; a malformed one (bad percent-encoding) counts as no cookie. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export class AuthService {
  readonly teamMode: boolean;

  constructor(
    private readonly store: AuthStore,
    private readonly config: Config,
    private readonly log: FastifyBaseLogger,
  ) {
    this.teamMode = config.auth === 'on';
  }

  /** The first admin from ADMIN_USER + ADMIN_PASSWORD, when team mode starts with no user at all. */
  async bootstrap(): Promise<void> {
    if (!this.teamMode || (await this.store.userCount()) > 0) return;
    if (!this.config.adminUser || !this.config.adminPassword) {
      this.log.warn('team mode has no user yet: set ADMIN_USER and ADMIN_PASSWORD, or run `npm run user -- add <name> --role admin`');
      return;
    }
    await this.store.createUser({ name: this.config.adminUser, role: 'admin', createdAt: new Date().toISOString(), passwordHash: await hashPassword(this.config.adminPassword) });
    this.log.info({ user: this.config.adminUser }, 'first admin created from ADMIN_USER');
  }

  /** Who the request is, or null (team mode, no valid session or token). */
  async principal(request: FastifyRequest): Promise<Principal | null> {
    if (!this.teamMode) return LOCAL_ADMIN;
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (bearer) {
      const record = await this.store.token(bearer);
      const user = record && (await this.store.user(record.user));
      if (!record || !user) return null;
      if (!record.lastUsedAt || Date.now() - Date.parse(record.lastUsedAt) > 60_000) void this.store.touchToken(record).catch(() => undefined);
      return { user: userView(user), via: 'token', scope: record.scope, rank: Math.min(accessRank(user.role), accessRank(record.scope)) };
    }
    const cookie = cookieValue(request.headers.cookie, SESSION_COOKIE);
    if (!cookie) return null;
    const session = await this.store.session(cookie);
    const user = session && (await this.store.user(session.user));
    return user ? { user: userView(user), via: 'session', rank: accessRank(user.role) } : null;
  }

  /** Checks the password (throttled per name and address); returns a session cookie value. */
  async login(username: string, password: string, address: string): Promise<{ cookie: string; user: UserView }> {
    if (!this.teamMode) throw new HttpError('no_login', 'This server runs in local mode (no login): set AUTH=on for team mode');
    const key = `${username.toLowerCase()}|${address}`;
    const before = await this.store.failures(key);
    if (before.count >= MAX_FAILURES) throw tooMany(before.ttlSec);
    const user = await this.store.user(username);
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) {
      const after = await this.store.failed(key, FAILURE_WINDOW_SEC);
      this.log.info({ user: username, address }, 'failed login');
      if (after.count >= MAX_FAILURES) throw tooMany(after.ttlSec);
      throw new HttpError('invalid_credentials', 'Wrong user name or password');
    }
    await this.store.clearFailures(key);
    return { cookie: await this.store.createSession(user.name, SESSION_TTL_MS), user: userView(user) };
  }

  async logout(cookie: string | undefined): Promise<void> {
    if (cookie) await this.store.endSession(cookie);
  }

  sessionCookie(value: string, secure: boolean): string {
    return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_TTL_MS / 1000}${secure ? '; Secure' : ''}`;
  }

  clearedCookie(secure: boolean): string {
    return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure ? '; Secure' : ''}`;
  }

  // — tokens —

  async listTokens(p: Principal): Promise<TokenView[]> {
    const all = await this.store.tokens();
    return all
      .filter((t) => p.rank >= 2 || t.user === p.user.name)
      .map(tokenView)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async createToken(p: Principal, name: string, scope: TokenScope): Promise<TokenCreated> {
    if (p.via === 'local') throw new HttpError('no_login', 'API tokens are for team mode (AUTH=on); in local mode no token is needed');
    if (accessRank(scope) > accessRank(p.user.role)) throw forbidden(`A ${p.user.role} cannot make a token with scope ${scope}`);
    if (p.via === 'token' && accessRank(scope) > p.rank) throw forbidden('A token cannot make a token with more rights than itself');
    const { token, record } = await this.store.createToken(p.user.name, name, scope);
    return { ...tokenView(record), token };
  }

  async revokeToken(p: Principal, id: string): Promise<void> {
    const record = (await this.store.tokens()).find((t: StoredToken) => t.id === id);
    if (!record || (p.rank < 2 && record.user !== p.user.name)) throw notFound('token', id);
    await this.store.revokeToken(record);
  }

  // — users (admin) —

  async listUsers(): Promise<UserView[]> {
    return (await this.store.users()).map(userView);
  }

  async createUser(u: UserCreate): Promise<UserView> {
    const user = { name: u.name, role: u.role, createdAt: new Date().toISOString(), passwordHash: await hashPassword(u.password) };
    if (!(await this.store.createUser(user))) throw conflict('user_exists', `There is already a user named ${u.name}`);
    return userView(user);
  }

  async patchUser(name: string, patch: UserPatch): Promise<UserView> {
    const user = await this.store.user(name);
    if (!user) throw notFound('user', name);
    if (patch.role && patch.role !== 'admin' && user.role === 'admin') await this.assertAnotherAdmin(name);
    const next = { ...user, ...(patch.role ? { role: patch.role as Role } : {}), ...(patch.password ? { passwordHash: await hashPassword(patch.password) } : {}) };
    await this.store.saveUser(next);
    return userView(next);
  }

  async deleteUser(name: string): Promise<void> {
    const user = await this.store.user(name);
    if (!user) throw notFound('user', name);
    if (user.role === 'admin') await this.assertAnotherAdmin(name);
    await this.store.deleteUser(name);
  }

  private async assertAnotherAdmin(name: string): Promise<void> {
    const admins = (await this.store.users()).filter((u) => u.role === 'admin' && u.name !== name);
    if (admins.length === 0) throw conflict('last_admin', 'That is the last admin: make another user admin first');
  }
}

function tooMany(ttlSec: number): HttpError {
  const err = new HttpError('rate_limited', `Too many failed logins: try again in ${Math.ceil(ttlSec / 60)} min`, { retryAfterSec: ttlSec });
  return err;
}
