import Type, { type Static } from 'typebox';
import { Text } from './text.js';

/*
 * Team mode (AUTH=on): users with a role, sessions (a cookie) and personal API tokens (Bearer). Local
 * mode (the default on loopback) has no login: whoever reaches the server is the local admin.
 */

export const ROLES = ['admin', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** What a token may do: read only, also submit and manage its owner's items, or everything its owner's role allows. */
export const TOKEN_SCOPES = ['read', 'submit', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** The access a route needs: public (login), read, submit (act on one's own items), admin. */
export const ACCESS_LEVELS = ['read', 'submit', 'admin'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

export const UserName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.@-]+$', description: 'letters, digits and _ . @ -' });

const USER_NAME_RE = /^[A-Za-z0-9_.@-]{1,64}$/;
/** `value` when it could be a user name (an owner read from a file we did not necessarily write), else undefined. */
export function userNameOr(value: unknown): string | undefined {
  return typeof value === 'string' && USER_NAME_RE.test(value) ? value : undefined;
}
export const Password = Text({ minLength: 8, maxLength: 256, description: 'at least 8 characters' });

export const UserView = Type.Object({
  name: Type.String(),
  role: Type.Enum(ROLES),
  createdAt: Type.String(),
});
export type UserView = Static<typeof UserView>;

/** GET /api/auth/me */
export const Me = Type.Object({
  mode: Type.Enum(['local', 'team']),
  /** Absent in team mode before logging in (the route then answers 401). */
  user: Type.Optional(UserView),
  /** How this request was authenticated. */
  via: Type.Enum(['local', 'session', 'token']),
  /** A token's scope, when `via` is token. */
  scope: Type.Optional(Type.Enum(TOKEN_SCOPES)),
});
export type Me = Static<typeof Me>;

export const LoginRequest = Type.Object({ username: UserName, password: Text({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false });
export type LoginRequest = Static<typeof LoginRequest>;

export const TokenCreate = Type.Object(
  { name: Text({ minLength: 1, maxLength: 100 }), scope: Type.Enum(TOKEN_SCOPES) },
  { additionalProperties: false },
);
export type TokenCreate = Static<typeof TokenCreate>;

export const TokenView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  scope: Type.Enum(TOKEN_SCOPES),
  user: Type.String(),
  createdAt: Type.String(),
  lastUsedAt: Type.Optional(Type.String()),
  /** The first characters of the token, to recognise it. */
  prefix: Type.String(),
});
export type TokenView = Static<typeof TokenView>;

/** POST /api/tokens: the token itself is in this answer only; it is stored hashed. */
export const TokenCreated = Type.Intersect([TokenView, Type.Object({ token: Type.String() })]);
export type TokenCreated = Static<typeof TokenCreated>;

/** GET /api/tokens: yours, or everyone's for an admin (newest first). */
export const TokenList = Type.Object({ items: Type.Array(TokenView) });
export type TokenList = Static<typeof TokenList>;

/** GET /api/users (admin). */
export const UserList = Type.Object({ items: Type.Array(UserView) });
export type UserList = Static<typeof UserList>;

/** POST /api/auth/logout, DELETE /api/tokens/:id, DELETE /api/users/:name. */
export const AuthOk = Type.Object({ ok: Type.Literal(true) });
export type AuthOk = Static<typeof AuthOk>;

export const UserCreate = Type.Object({ name: UserName, password: Password, role: Type.Enum(ROLES) }, { additionalProperties: false });
export type UserCreate = Static<typeof UserCreate>;

export const UserPatch = Type.Object(
  { role: Type.Optional(Type.Enum(ROLES)), password: Type.Optional(Password) },
  { additionalProperties: false, minProperties: 1 },
);
export type UserPatch = Static<typeof UserPatch>;

/** The rank of a role or scope: what it may do includes everything below it. */
export function accessRank(level: AccessLevel | Role | TokenScope): number {
  switch (level) {
    case 'viewer':
    case 'read':
      return 0;
    case 'member':
    case 'submit':
      return 1;
    case 'admin':
      return 2;
  }
}
