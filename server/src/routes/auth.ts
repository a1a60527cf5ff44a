import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AuthOk, LoginRequest, Me, TokenCreate, TokenCreated, TokenList, UserCreate, UserList, UserName, UserPatch, UserView } from '@orchestrator/shared';
import { SESSION_COOKIE, cookieValue, unauthorized, type AuthService } from '../auth/auth-service.js';
import type { Principal } from '../auth/principal.js';
import { noBody } from '../http/optional-body.js';
import { errorResponses } from './schemas.js';

/** Login, logout and who am I; personal API tokens; users (admin). Access is decided by auth/access-policy.ts. */
export const authRoutes: FastifyPluginAsyncTypebox<{ auth: AuthService }> = async (app, { auth }) => {
  const secure = (headers: Record<string, unknown>, protocol: string) => protocol === 'https' || headers['x-forwarded-proto'] === 'https';
  const who = (p: Principal | undefined): Principal => {
    if (!p) throw unauthorized();
    return p;
  };

  app.post(
    '/api/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Log in (team mode): sets the session cookie',
        security: [],
        body: LoginRequest,
        response: { 200: Me, ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const { cookie, user } = await auth.login(request.body.username, request.body.password, request.ip);
      reply.header('set-cookie', auth.sessionCookie(cookie, secure(request.headers, request.protocol)));
      return { mode: 'team' as const, user, via: 'session' as const };
    },
  );

  app.post(
    '/api/auth/logout',
    { schema: { tags: ['auth'], summary: 'Log out: ends the session and clears its cookie', security: [], response: { 200: AuthOk, ...errorResponses(400) } }, preValidation: noBody },
    async (request, reply) => {
      await auth.logout(cookieValue(request.headers.cookie, SESSION_COOKIE));
      reply.header('set-cookie', auth.clearedCookie(secure(request.headers, request.protocol)));
      return { ok: true as const };
    },
  );

  app.get(
    '/api/auth/me',
    { schema: { tags: ['auth'], summary: 'Who this request is (401 in team mode before logging in)', security: [], response: { 200: Me, ...errorResponses(401) } } },
    async (request) => {
      const p = who((await auth.principal(request)) ?? undefined);
      return { mode: auth.teamMode ? ('team' as const) : ('local' as const), user: p.user, via: p.via, ...(p.scope ? { scope: p.scope } : {}) };
    },
  );

  app.get(
    '/api/tokens',
    { schema: { tags: ['auth'], summary: 'Your API tokens (an admin sees everyone\'s)', response: { 200: TokenList, ...errorResponses(401) } } },
    async (request) => ({ items: await auth.listTokens(who(request.principal)) }),
  );

  app.post(
    '/api/tokens',
    {
      schema: {
        tags: ['auth'],
        summary: 'Make an API token: it is in this answer only (stored hashed)',
        description: 'Send it as `Authorization: Bearer <token>` (REST, WebSocket, SSE). Scope read, submit, or admin (admins only).',
        body: TokenCreate,
        response: { 201: TokenCreated, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => reply.code(201).send(await auth.createToken(who(request.principal), request.body.name, request.body.scope)),
  );

  app.delete(
    '/api/tokens/:id',
    {
      schema: {
        tags: ['auth'],
        summary: 'Revoke an API token',
        params: Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{16}$' }) }, { additionalProperties: false }),
        response: { 200: AuthOk, ...errorResponses(400, 401, 404) },
      },
      preValidation: noBody,
    },
    async (request) => {
      await auth.revokeToken(who(request.principal), request.params.id);
      return { ok: true as const };
    },
  );

  const NameParams = Type.Object({ name: UserName }, { additionalProperties: false });

  app.get('/api/users', { schema: { tags: ['auth'], summary: 'Users (admin)', response: { 200: UserList, ...errorResponses(401, 403) } } }, async () => ({
    items: await auth.listUsers(),
  }));

  app.post(
    '/api/users',
    { schema: { tags: ['auth'], summary: 'Add a user (admin)', body: UserCreate, response: { 201: UserView, ...errorResponses(400, 401, 403, 409) } } },
    async (request, reply) => reply.code(201).send(await auth.createUser(request.body)),
  );

  app.patch(
    '/api/users/:name',
    { schema: { tags: ['auth'], summary: "Change a user's role or password (admin)", params: NameParams, body: UserPatch, response: { 200: UserView, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => auth.patchUser(request.params.name, request.body),
  );

  app.delete(
    '/api/users/:name',
    { schema: { tags: ['auth'], summary: 'Remove a user and their tokens (admin)', params: NameParams, response: { 200: AuthOk, ...errorResponses(400, 401, 403, 404, 409) } }, preValidation: noBody },
    async (request) => {
      await auth.deleteUser(request.params.name);
      return { ok: true as const };
    },
  );
};
