import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ASSET_ID_PATTERN,
  DesignEditsRequest,
  JobAccepted,
  SiteDeployRequest,
  SiteDetail,
  SiteFileList,
  SitePreview,
  V0ChatPage,
  V0Id,
  type Config,
} from '@orchestrator/shared';
import type { JobService } from '../jobs/job-service.js';
import { HttpError, badRequest } from '../errors.js';
import { PreviewProxy } from '../sites/preview/preview-proxy.js';
import type { SiteAttachments } from '../sites/attachments.js';
import { SiteService } from '../sites/site-service.js';
import { errorResponses } from './schemas.js';
import { legacySiteRoutes } from './sites-legacy.js';
import { GenerationFields, Message, accepted } from './sites-schemas.js';
import type { ObjectFiles } from '../storage/object-files.js';

/*
 * Sites made with v0: list the user's v0 chats and import one, send a change to a site, read a site's
 * manifest and its saved files (as plain text, never as a page). The legacy /api/v0 aliases are
 * registered from here too, so wiring sites is one line in app.ts.
 */

export interface SiteRoutesOptions {
  jobs: JobService;
  config: Pick<Config, 'outputPath' | 'v0ApiKey' | 'v0ApiUrl' | 'host' | 'previewPort' | 'previewUrl' | 'previewDemoHosts' | 'allowedHosts' | 'publicUrl' | 'previewUpstreamTimeoutMs'>;
  /** STORAGE=s3: saved sites are in the bucket. */
  objects?: ObjectFiles | null;
  /** Pictures design edits send to v0 (uploads, gallery images). */
  attachments?: SiteAttachments;
}

const tags = ['sites'];
const AssetParams = Type.Object({ assetId: Type.String({ pattern: ASSET_ID_PATTERN }) }, { additionalProperties: false });
const VersionParams = Type.Object({ assetId: Type.String({ pattern: ASSET_ID_PATTERN }), versionId: V0Id }, { additionalProperties: false });
// The wildcard (the file name) is read from params['*'] by hand: TypeBox's Convert builds a RegExp from
// property names, and a property named "*" makes it throw.
const FileParams = Type.Object({ assetId: Type.String({ pattern: ASSET_ID_PATTERN }), versionId: V0Id });


export const siteRoutes: FastifyPluginAsyncTypebox<SiteRoutesOptions> = async (app, { jobs, config, objects, attachments }) => {
  const sites = new SiteService(config, jobs, objects ?? null, attachments ?? null);
  // The preview origin: a second listener, opened when the API listens (never for inject-only tests).
  const preview = new PreviewProxy({
    config,
    log: app.log,
    lookup: async (assetId, versionId) => {
      const manifest = await sites.manifest(assetId);
      return manifest.versions.find((v) => v.id === versionId)?.demoUrl ?? null;
    },
  });
  app.addHook('onListen', async () => preview.listen());
  app.addHook('onClose', async () => preview.close());

  app.get(
    '/api/sites/:assetId/preview',
    {
      schema: {
        tags,
        summary: "The URL that shows a version's live preview, served through the preview origin (separate from the API)",
        params: AssetParams,
        querystring: Type.Object({ version: Type.Optional(V0Id) }, { additionalProperties: false }),
        response: { 200: SitePreview, ...errorResponses(400, 403, 404, 503) },
      },
    },
    async (request) => {
      if (preview.failed) throw new HttpError('preview_unavailable', `Site previews are off: the preview port (PREVIEW_PORT=${config.previewPort}) could not be opened; see the server log`);
      const manifest = await sites.manifest(request.params.assetId);
      const wanted = request.query.version;
      const v = wanted ? sites.version(manifest, wanted) : [...manifest.versions].reverse().find((x) => x.demoUrl);
      if (!v?.demoUrl) throw new HttpError('not_found', wanted ? `Version ${wanted} has no preview (v0 gave it no demo URL)` : 'This site has no version with a preview yet');
      if (!preview.demoAllowed(v.demoUrl)) throw new HttpError('forbidden', "This version's demo host is not one the preview may fetch from: add it to PREVIEW_DEMO_HOSTS");
      const secure = request.protocol === 'https';
      const parentOrigin = `${request.protocol}://${request.host}`;
      const url = preview.urlFor({ assetId: request.params.assetId, versionId: v.id, demoUrl: v.demoUrl, parentOrigin, requestHostname: request.hostname, secure });
      return { url, origin: new URL(url).origin, versionId: v.id };
    },
  );

  app.post(
    '/api/sites/:assetId/design-edits',
    {
      schema: {
        tags,
        summary: 'Apply design-mode edits: one v0 follow-up listing every change; the new version joins the site',
        description:
          'An edit of an image\'s src may name a picture (`image: {source: "upload"|"asset", id}`) instead of a URL: it is sent to v0 as a message ' +
          'attachment (downscaled when large) and the message says which attachment replaces which src. An unknown id is 400, a picture over the input limits 413.',
        params: AssetParams,
        body: DesignEditsRequest,
        response: { 202: JobAccepted, ...errorResponses(400, 403, 404, 409, 413, 415, 507) },
      },
    },
    async (request, reply) =>
      accepted(reply, await sites.designEdits(request.params.assetId, request.body.versionId, request.body.edits, request.principal)),
  );

  app.post(
    '/api/sites/:assetId/deploy',
    {
      schema: {
        tags,
        summary: "Deploy a version to Vercel through v0's deployments API (a job; the URL lands on the site)",
        params: AssetParams,
        body: SiteDeployRequest,
        response: { 202: JobAccepted, ...errorResponses(400, 403, 404, 409, 415) },
      },
    },
    async (request, reply) => accepted(reply, await sites.deploy(request.params.assetId, request.body.versionId, request.principal)),
  );

  app.get(
    '/api/sites/chats',
    {
      schema: {
        tags,
        summary: "The user's v0 chats, newest first, to import",
        querystring: Type.Object(
          { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 60, default: 20 })), offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })) },
          { additionalProperties: false },
        ),
        response: { 200: V0ChatPage, ...errorResponses(400, 429, 502) },
      },
    },
    async (request) => sites.listChats(request.query.limit ?? 20, request.query.offset ?? 0),
  );

  app.post(
    '/api/sites/import',
    {
      schema: {
        tags,
        summary: 'Import a v0 chat (its versions and files) as a site asset',
        body: Type.Object({ chatId: V0Id }, { additionalProperties: false }),
        response: { 202: JobAccepted, ...errorResponses(400, 413, 415) },
      },
    },
    async (request, reply) => accepted(reply, await sites.importChat(request.body.chatId, request.principal)),
  );

  app.post(
    '/api/sites/:assetId/messages',
    {
      schema: {
        tags,
        summary: 'Ask v0 for a change: the new version joins the same site asset',
        params: AssetParams,
        body: Type.Object({ message: Message, ...GenerationFields }, { additionalProperties: false }),
        response: { 202: JobAccepted, ...errorResponses(400, 403, 404, 413, 415) },
      },
    },
    async (request, reply) => {
      const { message, systemPrompt, model } = request.body;
      return accepted(reply, await sites.followUp({ assetId: request.params.assetId }, message, { systemPrompt, model }, request.principal));
    },
  );

  app.get(
    '/api/sites/:assetId',
    { schema: { tags, summary: 'A site: its chat, versions, preview and chat URLs', params: AssetParams, response: { 200: SiteDetail, ...errorResponses(400, 404) } } },
    async (request) => ({ assetId: request.params.assetId, ...(await sites.manifest(request.params.assetId)) }),
  );

  app.get(
    '/api/sites/:assetId/versions/:versionId/files',
    { schema: { tags, summary: "A version's saved files", params: VersionParams, response: { 200: SiteFileList, ...errorResponses(400, 404) } } },
    async (request) => {
      const manifest = await sites.manifest(request.params.assetId);
      return { assetId: request.params.assetId, chatId: manifest.chatId, version: sites.version(manifest, request.params.versionId) };
    },
  );

  app.get(
    '/api/sites/:assetId/versions/:versionId/files/*',
    {
      schema: {
        tags,
        summary: 'A saved file of a version, as plain text (never served as a page)',
        params: FileParams,
        response: { 200: Type.String(), ...errorResponses(400, 403, 404, 413) },
      },
    },
    async (request, reply) => {
      const manifest = await sites.manifest(request.params.assetId);
      const name = (request.params as { '*'?: unknown })['*'];
      if (typeof name !== 'string' || name.length === 0 || name.length > 1024) throw badRequest('invalid_path', 'Name a file of the version');
      const text = await sites.fileText(manifest, request.params.versionId, name);
      return reply
        .type('text/plain; charset=utf-8')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'no-cache')
        .send(text);
    },
  );

  await app.register(legacySiteRoutes, { sites });
};
