import { STATUS_CODES } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';
import { ApiError } from '@orchestrator/shared';
import { accessOf } from '../auth/access-policy.js';
import { hoistNamedSchemas, namedSchemas } from './openapi-components.js';
import { OPERATION_DOCS, type OperationDoc, type ResponseDoc, type SchemaDoc } from './openapi-media.js';
import { OPERATION_IDS, operationKey } from './openapi-operations.js';

export interface OpenApiOptions {
  /** PUBLIC_URL: the document's server; otherwise `/` (the origin the document was read from). */
  publicUrl?: string | undefined;
}

/** Every tag an operation may carry, declared with what it groups (openapi.test.ts checks none is missing). */
export const OPENAPI_TAGS = [
  { name: 'jobs', description: 'submit, follow, cancel and re-order generation jobs' },
  { name: 'events', description: 'the live event channel (WebSocket and Server-Sent Events); described in full at /api/asyncapi.json' },
  { name: 'assets', description: 'the gallery: everything under OUTPUT_PATH, its files, thumbnails, zips and trash' },
  { name: 'models', description: 'models under MODELS_PATH and on the backends' },
  { name: 'backends', description: 'the ComfyUI backends and what they report' },
  { name: 'agents', description: 'providers and backends you can switch off (drain) and on' },
  { name: 'uploads', description: 'input images for img2img, edits and video' },
  { name: 'workflows', description: 'custom ComfyUI workflows: import, slots, save' },
  { name: 'chat', description: 'chat threads: slash commands and prompts, with live job cards' },
  { name: 'sites', description: 'websites made with v0: import, change, read their files' },
  { name: 'storage', description: 'for workers on other machines: their outputs and inputs (worker token)' },
  { name: 'auth', description: 'team mode (AUTH=on): login, API tokens, users' },
  { name: 'health', description: 'health and Prometheus metrics' },
  { name: 'comfyui', description: 'a read-only pass-through to one ComfyUI backend' },
  { name: 'legacy', description: 'aliases kept for the earlier version' },
] as const;

/** A response of OPERATION_DOCS in the form @fastify/swagger reads from a route schema. */
function swaggerResponse(r: ResponseDoc): Record<string, unknown> {
  const headers = r.headers ? { headers: r.headers } : {};
  if (!r.content) return { type: 'null', description: r.description, ...headers };
  return { description: r.description, ...headers, content: mediaTypes(r.content) };
}

const mediaTypes = (content: Readonly<Record<string, SchemaDoc>>) => Object.fromEntries(Object.entries(content).map(([type, schema]) => [type, { schema }]));

function withPathParam(params: unknown, name: string, schema: SchemaDoc): Record<string, unknown> {
  const base = (params ?? { type: 'object', properties: {} }) as { properties?: Record<string, unknown>; required?: string[] };
  return { ...base, properties: { ...base.properties, [name]: schema }, required: [...(base.required ?? []), name] };
}

/** The named parameter a wildcard (`*`) route is documented with when OPERATION_DOCS says nothing more. */
const WILDCARD: SchemaDoc = {
  type: 'string',
  minLength: 1,
  pattern: '^[^\\u0000]+$',
  description: 'the rest of the path; its slashes may be sent percent-encoded',
};

/**
 * The document's view of one route (@fastify/swagger's `transform`): its operationId, what
 * OPERATION_DOCS adds, who may call it. Works on a copy: the route's own schema, which Fastify compiles
 * for validation and serialization, is never changed.
 */
export function documentRoute({ schema, url, route }: { schema: FastifySchema | undefined; url: string; route: Pick<RouteOptions, 'method'> }): { schema: FastifySchema; url: string } {
  const base: FastifySchema = schema ?? {};
  if (base.hide) return { schema: base, url };
  const method = Array.isArray(route.method) ? route.method.join(',') : String(route.method);
  const key = operationKey(method, url);
  const extra: OperationDoc = OPERATION_DOCS[key] ?? {};
  const out: FastifySchema & Record<string, unknown> = { ...base };
  const id = base.operationId ?? OPERATION_IDS[key];
  if (id) out.operationId = id;

  const responses: Record<string, unknown> = { ...(base.response as Record<string, unknown> | undefined) };
  const access = accessOf(method, url);
  if (access === 'public') {
    // Open to all, except the storage API, which takes the worker token.
    out.security ??= url.startsWith('/api/storage/') ? [{ bearerAuth: [] }] : [];
  } else {
    responses[401] ??= { ...ApiError, 'x-response-description': 'Team mode: no valid session cookie or API token' };
    responses[403] ??= { ...ApiError, 'x-response-description': "Team mode: the user's role or the token's scope does not allow this" };
  }
  for (const [status, r] of Object.entries(extra.responses ?? {})) responses[status] = swaggerResponse(r);
  out.response = responses;

  if (extra.body) out.body = { content: mediaTypes(extra.body) };
  if (extra.consumes) out.consumes = [...extra.consumes];
  // A wildcard becomes a named parameter (`{*}` is no name a client can fill in).
  const path = extra.path ?? (url.endsWith('/*') ? { url: `${url.slice(0, -1)}:path`, name: 'path', schema: WILDCARD } : undefined);
  if (path) {
    out.params = withPathParam(base.params, path.name, path.schema);
    return { schema: out, url: path.url };
  }
  return { schema: out, url };
}


/** "Default Response" (what @fastify/swagger writes when a schema has no description) → the status's name. */
function describeResponses(doc: { paths?: unknown }): void {
  for (const item of Object.values((doc.paths ?? {}) as Record<string, Record<string, { responses?: Record<string, { description?: string }> }>>)) {
    for (const op of Object.values(item)) {
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        if (response.description !== 'Default Response') continue;
        const name = STATUS_CODES[Number(status)] ?? status;
        response.description = Number(status) >= 400 ? `${name}: the error as \`{error, message, details?}\`` : name;
      }
    }
  }
}

/**
 * The project has chosen no license (every package.json is private, there is no LICENSE file), so the
 * document says so in npm's word (UNLICENSED: no rights granted) rather than invent one; as an SPDX
 * expression that is a LicenseRef, SPDX's form for a license it does not list. Change it here when a
 * license is chosen.
 */
const API_LICENSE = { name: 'UNLICENSED (no license chosen; all rights reserved)', identifier: 'LicenseRef-UNLICENSED' } as const;

/** OpenAPI document at /api/openapi.json (built from the route schemas) and its docs page at /api/docs. */
export async function registerOpenApi(app: FastifyInstance, version: string, options: OpenApiOptions = {}): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Orchestrator API',
        version,
        description: 'Jobs, events, gallery, models and backends of a self-hosted AI generation studio. Errors are `{error, message, details?}`.',
        license: API_LICENSE,
      },
      servers: [
        options.publicUrl
          ? { url: options.publicUrl, description: 'PUBLIC_URL' }
          : { url: '/', description: 'the server this document was read from' },
      ],
      components: {
        securitySchemes: {
          cookieAuth: { type: 'apiKey', in: 'cookie', name: 'orch_session', description: 'the session cookie POST /api/auth/login sets (team mode)' },
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'a personal API token (POST /api/tokens), or the worker token for /api/storage' },
        },
        // Converted like the routes' schemas, then named where they occur (openapi-components.ts).
        schemas: namedSchemas() as Record<string, object>,
      },
      // Team mode wants one of these; in local mode (loopback, AUTH off) none is needed.
      security: [{ cookieAuth: [] }, { bearerAuth: [] }],
      tags: OPENAPI_TAGS.map((t) => ({ ...t })),
    },
    // Paths are documented as registered (a PUBLIC_URL with a path does not shorten them).
    stripBasePath: false,
    transform: documentRoute,
    transformObject: (document) => {
      const doc = 'openapiObject' in document ? document.openapiObject : document.swaggerObject;
      hoistNamedSchemas(doc);
      describeResponses(doc);
      return doc;
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
