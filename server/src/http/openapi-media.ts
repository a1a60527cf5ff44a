import { WorkflowGraph } from '@orchestrator/shared';

/*
 * What the route schemas cannot say, for the OpenAPI document only: the answers of routes that send
 * files, streams or text (their media types, 206/304, the headers that matter), the bodies of routes
 * that read their own (multipart uploads, a workflow as JSON or PNG, worker uploads), and the wildcard
 * of the site file route as a named parameter. Keyed like OPERATION_IDS by "METHOD /path" as
 * registered, and merged into a copy of the route's schema when the document is built (openapi.ts), so
 * validation and serialization are untouched.
 */

export type SchemaDoc = Readonly<Record<string, unknown>>;

export interface ResponseDoc {
  description: string;
  /** Response headers: name → schema (with its description). */
  headers?: Readonly<Record<string, SchemaDoc>>;
  /** Media type → schema; none for an answer without a body. */
  content?: Readonly<Record<string, SchemaDoc>>;
}

export interface OperationDoc {
  /** The documented path when the registered one has a wildcard, with its path parameter. */
  path?: { url: string; name: string; schema: SchemaDoc };
  /** The request body of a route that parses its own: media type → schema. */
  body?: Readonly<Record<string, SchemaDoc>>;
  /** More media types for the route's own body schema (a form besides JSON). */
  consumes?: readonly string[];
  /** Answers the route schema does not describe; they replace its entries for the same status. */
  responses?: Readonly<Record<number, ResponseDoc>>;
}

const BINARY: SchemaDoc = { type: 'string', format: 'binary' };
const binary = (...types: string[]): Record<string, SchemaDoc> => Object.fromEntries(types.map((t) => [t, BINARY]));
const header = (description: string): SchemaDoc => ({ type: 'string', description });

const ETAG = header('the version of the file; send it back as If-None-Match to get a 304');
const CACHE_CONTROL = header('how long the answer may be kept');

/** 200, 206 and 304 of a route that serves a file with send-file.ts (Range, ETag, Last-Modified). */
function servedFile(what: string, types: string[]): Record<number, ResponseDoc> {
  const headers = {
    etag: ETAG,
    'last-modified': header('when the file last changed (If-Modified-Since)'),
    'accept-ranges': header('`bytes`: a single Range is served as 206'),
    'content-disposition': header('inline or attachment, with the file name'),
    'cache-control': CACHE_CONTROL,
  };
  return {
    200: { description: what, headers, content: binary(...types) },
    206: {
      description: 'The one byte range asked for with `Range: bytes=start-end` (honoured only while If-Range still matches)',
      headers: { ...headers, 'content-range': header('`bytes start-end/size`') },
      content: binary(...types),
    },
    304: { description: 'Not modified: the ETag (If-None-Match) or the date (If-Modified-Since) still matches', headers: { etag: ETAG } },
  };
}

/** The gallery's files: any image or video; anything else goes out as an octet-stream attachment. */
const GALLERY_FILE = ['image/*', 'video/*', 'application/octet-stream'];

const ZIP: Record<number, ResponseDoc> = {
  200: {
    description: 'A zip, streamed as it is built',
    headers: {
      'content-disposition': header('attachment; filename="assets-<date>.zip"'),
      'x-missing-assets': { type: 'integer', description: 'how many of the ids had no file (listed in the zip\'s missing.txt)' },
    },
    content: binary('application/zip'),
  },
};

/** ComfyUI's own answer, forwarded as it came. */
const COMFYUI_JSON: Record<number, ResponseDoc> = {
  200: { description: "The backend's answer, as ComfyUI sent it", content: { 'application/json': { type: 'object', additionalProperties: true } } },
};

const storedFileBody = (types: string[], what: string): Record<string, SchemaDoc> =>
  Object.fromEntries(types.map((t) => [t, { ...BINARY, description: what }]));

export const OPERATION_DOCS: Readonly<Record<string, OperationDoc>> = {
  'GET /api/assets/:id/file': { responses: servedFile('The file (inline for images and videos unless ?download=1)', GALLERY_FILE) },
  'GET /api/assets/:id/thumb': {
    responses: {
      200: {
        description: 'The thumbnail, or a placeholder when none can be made',
        headers: { etag: ETAG, 'cache-control': CACHE_CONTROL, 'x-thumbnail': header('`thumbnail`, or `placeholder` (no ETag, a short life)') },
        content: binary('image/webp'),
      },
      304: { description: 'Not modified: the ETag (If-None-Match) still matches', headers: { etag: ETAG } },
    },
  },
  'GET /api/assets/trash/:id/thumb': { responses: servedFile('The thumbnail the gallery made (WebP), else the trashed image itself', ['image/*']) },
  'GET /api/assets/download': { responses: ZIP },
  'POST /api/assets/download': { consumes: ['application/json', 'application/x-www-form-urlencoded'], responses: ZIP },
  'GET /api/canvas/image/:filename': { responses: servedFile('The gallery file of that name', GALLERY_FILE) },
  'GET /api/uploads/:id': { responses: servedFile('The uploaded image', ['image/png', 'image/jpeg', 'image/webp']) },
  'POST /api/uploads': {
    body: {
      'multipart/form-data': {
        type: 'object',
        required: ['file'],
        properties: { file: { ...BINARY, description: 'the image: PNG, JPEG or WebP' } },
      },
    },
  },
  'POST /api/workflows/import': {
    body: {
      'application/json': {
        anyOf: [WorkflowGraph, { type: 'object', required: ['prompt'], properties: { prompt: WorkflowGraph } }],
        description: 'an API-format graph, or a /prompt body holding one',
      },
      'image/png': { ...BINARY, description: 'a PNG ComfyUI saved (its "prompt" text chunk holds the graph)' },
      'application/octet-stream': { ...BINARY, description: 'the bytes of such a PNG or JSON file, as-is' },
    },
  },
  'GET /api/sites/:assetId/versions/:versionId/files/*': {
    path: {
      url: '/api/sites/:assetId/versions/:versionId/files/:path',
      name: 'path',
      schema: {
        type: 'string',
        // No control characters or backslashes (shared/src/sites.ts, safeSiteFileName).
        pattern: '^[^\\u0000-\\u001f\\u007f\\\\]{1,1024}$',
        description: 'a saved file of the version, e.g. app/page.tsx; its slashes may be sent percent-encoded (app%2Fpage.tsx)',
      },
    },
    responses: {
      200: {
        description: 'The file as text (sandboxed, never served as a page)',
        content: { 'text/plain': { type: 'string' } },
      },
    },
  },
  'GET /api/jobs/stream': {
    responses: {
      200: {
        description: 'An event stream (`id`, `event`, `data` lines; `data` is the event as JSON) that stays open',
        content: { 'text/event-stream': { type: 'string' } },
      },
    },
  },
  // 101 is the only success a WebSocket upgrade has (RFC 6455 §4.2.2), so Redocly's "one 2XX" rule warns here (server/redocly.yaml).
  'GET /api/ws': {
    responses: {
      101: {
        description: 'Switching Protocols: the connection is a WebSocket of event frames from here on (their schemas: /api/asyncapi.json)',
        headers: {
          upgrade: header('`websocket`'),
          connection: header('`Upgrade`'),
          'sec-websocket-accept': header("the handshake's answer to the client's Sec-WebSocket-Key (RFC 6455)"),
        },
      },
    },
  },
  'GET /metrics': {
    responses: { 200: { description: 'Prometheus text exposition format', content: { 'text/plain': { type: 'string' } } } },
  },
  'GET /api/comfyui/:backendId/system_stats': { responses: COMFYUI_JSON },
  'GET /api/comfyui/:backendId/object_info': { responses: COMFYUI_JSON },
  'GET /api/comfyui/:backendId/object_info/:node': { responses: COMFYUI_JSON },
  'GET /api/comfyui/:backendId/queue': { responses: COMFYUI_JSON },
  'GET /api/comfyui/:backendId/history/:promptId': { responses: COMFYUI_JSON },
  'GET /api/storage/:root/file': { responses: servedFile('The file', GALLERY_FILE) },
  'PUT /api/storage/output/file': { body: storedFileBody(['application/octet-stream'], 'the output file') },
  'PUT /api/storage/output/thumb': { body: storedFileBody(['image/webp'], 'the thumbnail the worker made') },
};

