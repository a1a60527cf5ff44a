import type { AccessLevel } from '@orchestrator/shared';

/*
 * What each request needs, in one table: the login routes, health, API docs, the workers' storage API
 * (its own token) and the page itself are open; reading needs `read`, acting `submit` (a member's
 * own items; services check ownership), switching agents and managing users `admin`.
 */

export type Access = AccessLevel | 'public';

const PUBLIC: RegExp[] = [/^\/api\/auth\/(login|logout|me)$/, /^\/api\/health$/, /^\/api\/storage\//, /^\/api\/docs(\/|$)/, /^\/api\/(openapi|asyncapi)\.json$/];
const ADMIN: { methods?: string[]; path: RegExp }[] = [
  { methods: ['POST'], path: /^\/api\/agents\// },
  { path: /^\/api\/users(\/|$)/ },
];

export function accessOf(method: string, url: string): Access {
  const path = url.split('?')[0]!;
  if (!path.startsWith('/api/') && path !== '/api' && path !== '/metrics') return 'public';
  if (PUBLIC.some((r) => r.test(path))) return 'public';
  if (ADMIN.some((a) => a.path.test(path) && (!a.methods || a.methods.includes(method)))) return 'admin';
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS' ? 'read' : 'submit';
}
