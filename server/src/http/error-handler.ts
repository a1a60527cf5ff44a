import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { NO_NUL_PATTERN, NUL_MESSAGE, diskFullCode, errorStatus, type ApiError, type ErrorCode } from '@orchestrator/shared';
import { HttpError } from '../errors.js';
import { isRedisDown } from '../redis.js';

interface ValidationIssue {
  schemaPath?: string;
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/** Fastify's own 4xx errors, renamed to our codes (their statuses are the registry's). */
const FRAMEWORK_CODES: Record<string, { error: ErrorCode; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { error: 'invalid_json', message: 'The request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { error: 'invalid_json', message: 'The request body is empty but content-type is application/json' },
  FST_ERR_CTP_BODY_TOO_LARGE: { error: 'too_large', message: 'The request body is larger than this server accepts' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { error: 'unsupported_media_type', message: 'Unsupported content-type: send application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { error: 'invalid_content_length', message: 'Content-Length does not match the body' },
  FST_ERR_BAD_URL: { error: 'bad_url', message: 'The URL is not validly encoded' },
  FST_ERR_MAX_PARAM_LENGTH: { error: 'uri_too_long', message: 'A path segment is too long' },
};

const unionBranch = (issue: ValidationIssue) => /^#\/anyOf\/(\d+)(\/|$)/.exec(issue.schemaPath ?? '')?.[1];

/**
 * A body that is a union of objects told apart by a literal field (JobRequest by `provider`): the errors
 * of the branches that literal picks, not "provider must be comfyui" for a v0 job whose prompt is wrong.
 */
function narrowToMatchingBranches(issues: ValidationIssue[]): ValidationIssue[] {
  const branches = new Set(issues.map(unionBranch).filter((b) => b !== undefined));
  if (branches.size < 2) return issues;
  const discriminators = issues.filter((i) => i.keyword === 'const' && /^#\/anyOf\/\d+\/properties\/[^/]+$/.test(i.schemaPath ?? ''));
  const mismatched = new Set(discriminators.map(unionBranch));
  const kept = [...branches].filter((b) => !mismatched.has(b));
  // No branch matches (an unknown or missing discriminator): the other branches' complaints about each
  // other's fields ("unknown field(s): workflow", "must be multiple of 32") would only confuse.
  const missing = commonMissing(issues, branches);
  if (missing) return [{ instancePath: `/${missing}`, keyword: 'required', message: 'is required' }];
  if (kept.length === 0 && discriminators.length > 0) {
    const field = /\/properties\/([^/]+)$/.exec(discriminators[0]!.schemaPath ?? '')?.[1] ?? '';
    const allowed = [...new Set(discriminators.filter((i) => i.schemaPath?.endsWith(`/properties/${field}`)).map((i) => String(i.params?.allowedValue)))];
    return [{ instancePath: `/${field}`, keyword: 'enum', message: `must be one of ${allowed.join(', ')}` }];
  }
  if (kept.length === 0 || kept.length === branches.size) return issues;
  return issues.filter((i) => {
    const b = unionBranch(i);
    return b === undefined || kept.includes(b);
  });
}

/** A property every union branch reports missing (e.g. `provider`): the one thing to say. */
function commonMissing(issues: ValidationIssue[], branches: Set<string | undefined>): string | undefined {
  const byBranch = new Map<string | undefined, Set<string>>();
  for (const i of issues) {
    if (i.keyword !== 'required' || !Array.isArray(i.params?.requiredProperties)) continue;
    if (!/^#\/anyOf\/\d+$/.test(i.schemaPath ?? '')) continue;
    const set = byBranch.get(unionBranch(i)) ?? new Set<string>();
    for (const p of i.params.requiredProperties as unknown[]) if (typeof p === 'string') set.add(p);
    byBranch.set(unionBranch(i), set);
  }
  if (byBranch.size !== branches.size) return undefined;
  const [first, ...rest] = [...byBranch.values()];
  return [...(first ?? [])].find((p) => rest.every((s) => s.has(p)));
}

/** Readable `{path, message}` items from TypeBox validation errors, e.g. `body/prompt: must be string`. */
export function validationDetails(context: string | undefined, all: ValidationIssue[]): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  const seen = new Set<string>();
  const issues = narrowToMatchingBranches(all);
  for (const issue of issues) {
    let message = issue.message ?? 'invalid value';
    let path = `${context ?? 'request'}${issue.instancePath ?? ''}`;
    if (issue.keyword === 'boolean' && message === 'schema is false') message = 'unknown field';
    if (issue.keyword === 'pattern' && issue.params?.pattern === NO_NUL_PATTERN) message = NUL_MESSAGE;
    const extra = issue.params?.additionalProperties;
    if (issue.keyword === 'additionalProperties' && Array.isArray(extra)) {
      message = `unknown field(s): ${extra.join(', ')}`;
    }
    if (issue.keyword === 'anyOf' && issues.length > 1) continue; // the branch errors say more
    if (issue.keyword === 'boolean' && issues.some((i) => i.keyword === 'additionalProperties')) continue;
    path = path.replace(/\/$/, '');
    const key = `${path}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, message });
    if (out.length >= 20) break;
  }
  return out;
}

function send(reply: FastifyReply, body: ApiError, status = errorStatus(body.error)): void {
  // A handler that already hijacked the socket (SSE/WS) cannot answer any more.
  if (reply.sent || reply.raw.headersSent) return;
  void reply.code(status).type('application/json; charset=utf-8').send(body);
}

export function errorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof HttpError) {
    if (err.headers && !reply.sent && !reply.raw.headersSent) reply.headers(err.headers);
    send(reply, { error: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) });
    return;
  }
  if (Array.isArray(err.validation)) {
    const details = validationDetails(err.validationContext, err.validation as ValidationIssue[]);
    const first = details[0];
    const message = first ? `Invalid request: ${first.path} ${first.message}` : 'Invalid request';
    send(reply, { error: 'validation_failed', message, details });
    return;
  }
  const known = err.code ? FRAMEWORK_CODES[err.code] : undefined;
  if (known) {
    send(reply, { error: known.error, message: known.message });
    return;
  }
  const noRoom = diskFullCode(err);
  if (noRoom) {
    // The disk, not a bug: said as such (a worker writing through the storage API fails its job `disk_full` on this status).
    request.log.error({ err: { message: err.message, code: noRoom } }, 'no room on disk');
    send(reply, { error: 'disk_full', message: "The server's disk has no room for this: free some space and try again" });
    return;
  }
  if (isRedisDown(err)) {
    request.log.warn({ err: { message: err.message } }, 'redis unavailable');
    send(reply, { error: 'redis_unavailable', message: 'The job store (Redis) is not reachable right now; try again shortly' });
    return;
  }
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  if (status >= 400 && status < 500) {
    // A framework 4xx we have no code for keeps its own status (the one exception to the registry's).
    send(reply, { error: 'bad_request', message: err.message }, status);
    return;
  }
  request.log.error({ err }, 'unexpected error');
  send(reply, { error: 'internal_error', message: 'Something went wrong on the server; it has been logged' });
}

/** `frameworkErrors` option: errors Fastify raises before routing (bad URL encoding, long params). */
export function frameworkErrorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  errorHandler(err, request, reply);
}

export function apiNotFound(request: FastifyRequest, reply: FastifyReply): void {
  send(reply, { error: 'not_found', message: `No route ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 200)}` });
}
