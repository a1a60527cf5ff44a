import Type, { type Static } from 'typebox';
import { RequestPriority } from '../priority.js';
import { Text } from '../text.js';

/*
 * Sites through the v0 Platform API (v1): the `POST /api/jobs` body for provider "v0", the site manifest
 * the worker writes next to a site's files (`OUTPUT_PATH/sites/<chatId>/site.json`), the `site` part of a
 * site asset, and the table that turns v0's error statuses into job error codes and messages.
 *
 * Imports nothing but typebox (and the leaves priority.ts and text.ts): jobs.ts and assets.ts import this file, so a value import back would be
 * circular.
 */

/** The Platform API's model ids offered in the UI (`modelConfiguration.modelId`); v0's default is v0-pro. */
export const V0_MODELS = ['v0-mini', 'v0-pro', 'v0-max'] as const;
export type V0Model = (typeof V0_MODELS)[number];

/** v0 chat and version ids. Also folder names under OUTPUT_PATH/sites, so no dots and no slashes. */
export const V0_ID_PATTERN = '^[A-Za-z0-9_-]{1,100}$';
export const V0Id = Type.String({ pattern: V0_ID_PATTERN, description: 'a v0 chat or version id' });

const AssetId = Type.String({ pattern: '^[0-9a-f]{16}$', description: 'a site asset id' });

/*
 * Pictures sent with a message, as v0 attachments (`attachments: [{url}]`, each a data URI: our files
 * are not reachable from v0). The whole JSON body must stay under the 4.5 MB v0 accepts, so there are
 * at most V0_MAX_ATTACHMENTS of at most V0_ATTACHMENT_MAX_BYTES each (about 4 MB as base64); the server
 * downscales a larger picture (to V0_ATTACHMENT_MAX_EDGE pixels at most) before queueing the job.
 */
export const V0_MAX_ATTACHMENTS = 4;
export const V0_ATTACHMENT_MAX_BYTES = 750 * 1024;
export const V0_ATTACHMENT_MAX_EDGE = 2048;

export const V0JobRequest = Type.Object(
  {
    provider: Type.Literal('v0'),
    kind: Type.Literal('site'),
    /** The message to v0: a new site, or the change asked for in a follow-up. */
    prompt: Text({ minLength: 1, maxLength: 20000 }),
    systemPrompt: Type.Optional(Text({ minLength: 1, maxLength: 20000 })),
    model: Type.Optional(Type.Enum(V0_MODELS, { description: 'default v0-pro (v0 decides)' })),
    /** Send the prompt to an existing chat: the new version joins that chat's site asset. */
    followUp: Type.Optional(
      Type.Object({ assetId: Type.Optional(AssetId), chatId: Type.Optional(V0Id) }, { additionalProperties: false, minProperties: 1 }),
    ),
    /** Pictures sent with the message as v0 attachments (data URIs), in order: upload or gallery asset ids. */
    attachments: Type.Optional(
      Type.Array(Type.String({ minLength: 16, maxLength: 36, pattern: '^[0-9a-f-]+$', description: 'an upload id (UUID) or an image asset id (16 hex)' }), {
        minItems: 1,
        maxItems: V0_MAX_ATTACHMENTS,
      }),
    ),
    /** Save an existing v0 chat (its versions) as a site asset; nothing is sent to v0. */
    import: Type.Optional(Type.Object({ chatId: V0Id }, { additionalProperties: false })),
    /** Deploy a version of a site to Vercel through v0's deployments API; nothing is generated. */
    deploy: Type.Optional(Type.Object({ chatId: V0Id, versionId: V0Id }, { additionalProperties: false })),
    priority: Type.Optional(RequestPriority),
  },
  { additionalProperties: false },
);
export type V0JobRequest = Static<typeof V0JobRequest>;

/** What the schema cannot say: followUp and import exclude each other. */
export function v0RequestProblem(request: V0JobRequest): { path: string; message: string } | null {
  if (request.followUp && request.import) return { path: '/import', message: 'a job either follows up on a chat or imports one, not both' };
  if (request.deploy && (request.followUp || request.import)) return { path: '/deploy', message: 'a deploy job only deploys: no followUp or import' };
  if (request.attachments && (request.deploy || request.import)) return { path: '/attachments', message: 'attachments go with a message: not with an import or a deploy' };
  return null;
}

export const V0_VERSION_STATUSES = ['pending', 'completed', 'failed'] as const;

/** One version of a site as the manifest lists it (oldest first). */
export const V0SiteVersion = Type.Object({
  id: V0Id,
  status: Type.Enum(V0_VERSION_STATUSES),
  createdAt: Type.String(),
  updatedAt: Type.Optional(Type.String()),
  /** The embeddable preview (vusercontent.net); never the v0.app chat page, which refuses framing. */
  demoUrl: Type.Optional(Type.String()),
  /** The screenshot v0 made of this version, saved under OUTPUT_PATH (path relative to it). */
  screenshot: Type.Optional(Type.String()),
  /** Saved file names, relative to `sites/<chatId>/<versionId>/`. */
  files: Type.Array(Type.String()),
  /** False when the version is listed but its files were not downloaded (imports keep the newest few). */
  filesSaved: Type.Boolean(),
  /** File names v0 sent that were not saved (unsafe paths, over a size limit). */
  refusedFiles: Type.Optional(Type.Array(Type.String())),
  /** The newest Vercel deployment of this version made from here (v0's deployments API). */
  deployment: Type.Optional(
    Type.Object({ id: Type.String(), url: Type.String(), inspectorUrl: Type.Optional(Type.String()), deployedAt: Type.String(), jobId: Type.Optional(Type.String()) }),
  ),
  /** The message that asked for this version, when known. */
  message: Type.Optional(Type.String()),
  jobId: Type.Optional(Type.String()),
});
export type V0SiteVersion = Static<typeof V0SiteVersion>;

/**
 * `OUTPUT_PATH/sites/<chatId>/site.json`: the site asset's file, and the source of truth for its versions.
 * A superset of the gallery's lenient SiteManifest (version, createdAt, title, meta), so the gallery
 * index reads it like any other site manifest.
 */
export const V0SiteManifest = Type.Object({
  version: Type.Literal(1),
  chatId: V0Id,
  /** The chat's name on v0. */
  title: Type.Optional(Type.String()),
  /** The chat on v0.app (open in a new tab; it cannot be framed). */
  webUrl: Type.String(),
  /** The first prompt of the chat. */
  prompt: Type.String(),
  systemPrompt: Type.Optional(Type.String()),
  model: Type.Optional(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  /** Team mode: the user who started the chat here. */
  owner: Type.Optional(Type.String()),
  /** Generation metadata as the gallery reads it from any site manifest. */
  meta: Type.Object({
    provider: Type.Literal('v0'),
    prompt: Type.String(),
    model: Type.Optional(Type.String()),
    jobId: Type.Optional(Type.String()),
  }),
  versions: Type.Array(V0SiteVersion),
});
export type V0SiteManifest = Static<typeof V0SiteManifest>;

/** The `site` part of a site asset record: enough for the gallery and the inspector without the manifest. */
export const SiteInfo = Type.Object({
  chatId: V0Id,
  /** The newest version (the one the asset shows). */
  versionId: V0Id,
  demoUrl: Type.Optional(Type.String()),
  webUrl: Type.String(),
  /** The newest Vercel deployment's URL (of any version), when one was made from here. */
  deploymentUrl: Type.Optional(Type.String()),
  versions: Type.Optional(
    Type.Array(
      Type.Object({
        id: V0Id,
        status: Type.Enum(V0_VERSION_STATUSES),
        createdAt: Type.String(),
        demoUrl: Type.Optional(Type.String()),
      }),
    ),
  ),
});
export type SiteInfo = Static<typeof SiteInfo>;

export type V0ErrorCode =
  | 'validation_failed'
  | 'provider_auth'
  | 'provider_forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'rate_limited'
  | 'backend_error';

export interface V0ErrorRule {
  /** The job's `error.code` (and the API's `error` when a route relays it). */
  code: V0ErrorCode;
  /** Written for the person reading it; v0's own message is appended. */
  message: string;
}

/** v0's error statuses (`{error:{message,type}}`) → job error codes and messages. */
export const V0_ERRORS: Readonly<Record<number, V0ErrorRule>> = {
  400: { code: 'validation_failed', message: 'v0 refused the request as malformed' },
  401: { code: 'provider_auth', message: 'v0 rejected the API key: check V0_API_KEY' },
  403: { code: 'provider_forbidden', message: 'v0 refused access: the Platform API needs a Premium or Team plan, or the key lacks the scope' },
  404: { code: 'not_found', message: 'v0 has no such chat or version (deleted, or owned by another account)' },
  409: { code: 'conflict', message: 'v0 is still generating a version of this chat: wait for it to finish, then send the change again' },
  413: { code: 'too_large', message: 'The request is too large for v0: shorten the prompt' },
  422: { code: 'validation_failed', message: 'v0 refused the request as invalid' },
  429: { code: 'rate_limited', message: 'v0 rate limit reached: try again later' },
};
const V0_SERVER_ERROR: V0ErrorRule = { code: 'backend_error', message: 'v0 had an internal error' };

/** The rule for an HTTP status from v0 (5xx and unknown statuses count as v0's own trouble). */
export function v0ErrorRule(status: number): V0ErrorRule {
  return V0_ERRORS[status] ?? { ...V0_SERVER_ERROR, message: `${V0_SERVER_ERROR.message} (HTTP ${status})` };
}

/** v0's `{error:{message,type}}` envelope, read leniently from a body text. */
export function parseV0ErrorBody(text: string): { message?: string; type?: string } {
  try {
    const err = (JSON.parse(text) as { error?: { message?: unknown; type?: unknown } } | null)?.error;
    return {
      ...(typeof err?.message === 'string' ? { message: err.message.slice(0, 500) } : {}),
      ...(typeof err?.type === 'string' ? { type: err.type.slice(0, 100) } : {}),
    };
  } catch {
    return {};
  }
}
