import type {
  AuthOk,
  LoginRequest,
  Me,
  TokenCreate,
  TokenCreated,
  TokenList,
  UserCreate,
  UserList,
  UserPatch,
  UserView,
} from '@orchestrator/shared';
import { request } from './client';

/*
 * Team mode's routes (server/src/routes/auth.ts), typed with the shared schemas of shared/src/auth.ts.
 * In local mode only `me` is called: it answers `{mode: 'local'}` and the page needs no login.
 */

const userPath = (name: string) => `/api/users/${encodeURIComponent(name)}`;

export const authApi = {
  /** Who this browser is; a 401 (team mode, not logged in) is an ApiError with status 401. */
  me: (signal?: AbortSignal) => request<Me>('/api/auth/me', { signal }),
  login: (body: LoginRequest) => request<Me>('/api/auth/login', { method: 'POST', body }),
  logout: () => request<AuthOk>('/api/auth/logout', { method: 'POST' }),
  listTokens: (signal?: AbortSignal) => request<TokenList>('/api/tokens', { signal }),
  /** The answer holds the token itself, the only time it is ever shown. */
  createToken: (body: TokenCreate) => request<TokenCreated>('/api/tokens', { method: 'POST', body }),
  revokeToken: (id: string) => request<AuthOk>(`/api/tokens/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  listUsers: (signal?: AbortSignal) => request<UserList>('/api/users', { signal }),
  createUser: (body: UserCreate) => request<UserView>('/api/users', { method: 'POST', body }),
  /** A new role or password; 409 `last_admin` when it would leave no admin. */
  patchUser: (name: string, body: UserPatch) => request<UserView>(userPath(name), { method: 'PATCH', body }),
  /** 409 `last_admin` for the last admin. */
  deleteUser: (name: string) => request<AuthOk>(userPath(name), { method: 'DELETE' }),
};
