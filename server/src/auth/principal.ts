import type { TokenScope, UserView } from '@orchestrator/shared';

/** Who a request acts for, and how far it may go (accessRank: 0 read, 1 submit, 2 admin). */
export interface Principal {
  user: UserView;
  via: 'local' | 'session' | 'token';
  scope?: TokenScope;
  rank: number;
}

/** Local mode: whoever reaches a loopback-only server is its admin, as with ComfyUI. */
export const LOCAL_ADMIN: Principal = { user: { name: 'local', role: 'admin', createdAt: '1970-01-01T00:00:00.000Z' }, via: 'local', rank: 2 };

/** Whether `p` may change an item owned by `owner` (its own, or anything for an admin; items without an owner are the admin's). */
export function mayManage(p: Principal, owner: string | undefined): boolean {
  return p.rank >= 2 || (p.rank >= 1 && owner !== undefined && owner === p.user.name);
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every request that needs it (LOCAL_ADMIN in local mode). */
    principal?: Principal;
  }
}
