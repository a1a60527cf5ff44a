import { readFileSync } from 'node:fs';
import path from 'node:path';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import websocket from '@fastify/websocket';
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import rateLimit from '@fastify/rate-limit';
import { CHAT_MAX_MESSAGES, EventLog, JobStore, MAX_JSON_DEPTH, SECRET_LOG_PATHS, accessRank, jsonDepthExceeds, type Config } from '@orchestrator/shared';
import { HttpError, badRequest } from './errors.js';
import { requestGuard } from './http/request-guard.js';
import { AuthService, forbidden, unauthorized } from './auth/auth-service.js';
import { AuthStore } from './auth/auth-store.js';
import { accessOf } from './auth/access-policy.js';
import { assertSafeBinding } from './auth/binding.js';
import { authRoutes } from './routes/auth.js';
import { MetricsService } from './metrics/metrics-service.js';
import { metricsRoutes } from './routes/metrics.js';
import { asyncApiDocument } from './http/asyncapi.js';
import { apiNotFound, errorHandler, frameworkErrorHandler } from './http/error-handler.js';
import { registerOpenApi } from './http/openapi.js';
import { DEFAULT_WEB_DIST, registerSpa } from './http/spa.js';
import { closeRedis, createRedis } from './redis.js';
import { BackendRegistry } from './backends/backend-registry.js';
import { ModelCatalog } from './models/model-catalog.js';
import { JobQueues } from './jobs/queues.js';
import { JobService } from './jobs/job-service.js';
import { imageExistence } from './jobs/input-images.js';
import { fluxRequestResolver } from './jobs/flux-request.js';
import { v0RequestResolver } from './jobs/v0-request.js';
import { siteRoutes } from './routes/sites.js';
import { SiteAttachments } from './sites/attachments.js';
import { AssetService } from './assets/asset-service.js';
import { GalleryIndexing } from './gallery/gallery-indexing.js';
import { HealthService } from './health/health-service.js';
import { EventHub } from './events/event-hub.js';
import type { SubscriptionLimits } from './events/subscription.js';
import { jobRoutes } from './routes/jobs.js';
import { WorkflowChecker } from './jobs/workflow-check.js';
import { WorkflowService } from './workflows/workflow-service.js';
import { workflowRoutes } from './routes/workflows.js';
import { eventRoutes } from './routes/events.js';
import { assetRoutes } from './routes/assets.js';
import { trashRoutes } from './routes/trash.js';
import { assetFileRoutes } from './routes/asset-files.js';
import { modelRoutes } from './routes/models.js';
import { backendRoutes } from './routes/backends.js';
import { healthRoutes } from './routes/health.js';
import { comfyuiProxyRoutes } from './routes/comfyui-proxy.js';
import { legacyRoutes } from './routes/legacy.js';
import { uploadRoutes } from './routes/uploads.js';
import { agentRoutes } from './routes/agents.js';
import { queueRoutes } from './routes/queue.js';
import { ScheduleReader } from './scheduling/schedule-snapshot.js';
import { QueueService } from './scheduling/queue-service.js';
import { AgentService } from './scheduling/agent-service.js';
import { QueueReconciler } from './scheduling/queue-reconciler.js';
import { StorageIdentity } from './storage/storage-identity.js';
import { storageRoutes } from './routes/storage.js';
import { objectFilesFor } from './storage/object-files.js';
import { chatRoutes } from './routes/chat.js';
import { ChatStore } from './chat/chat-store.js';
import { ChatCommandRunner } from './chat/command-runner.js';
import { ChatService } from './chat/chat-service.js';
import { SiteService } from './sites/site-service.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The gallery index's maintenance: `gallery.ready` settles after the startup rescan. */
    gallery: GalleryIndexing;
  }
}

export interface BuildOptions {
  /** false for silence (tests), an object for extra pino options; default: pino at config.logLevel. */
  logger?: boolean | object;
  /** The built SPA; defaults to web/dist next to this package. */
  webDist?: string | URL;
  /** How long backend records are cached between reads (ms); 0 reads Redis every time. */
  backendCacheMs?: number;
  comfyuiProxyTimeoutMs?: number;
  events?: { limits?: SubscriptionLimits; sseHeartbeatMs?: number; wsPingMs?: number; recheckMs?: number };
  models?: { rescanMs?: number; backgroundHash?: boolean };
  /** The gallery index's watcher and startup rescan (both on by default; tests of fixed records turn them off). */
  gallery?: { watch?: boolean; rescan?: boolean; debounceMs?: number; stableMs?: number };
  uploads?: { maxBytes?: number };
  /** The queue reconciler (on by default) and its interval. */
  reconcile?: boolean;
  reconcileMs?: number;
  /** Messages kept per chat thread (default CHAT_MAX_MESSAGES). */
  chat?: { maxMessages?: number };
}

/** The page's Content-Security-Policy: its own scripts only; v0 site previews and their screenshots are https frames and images. */
const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: https:",
  "media-src 'self' data: blob:",
  "connect-src 'self'",
  // http: too for the site preview origin (PREVIEW_PORT on whatever host name the page was reached by).
  "frame-src 'self' https: http:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

const RANK_NAMES = ['read', 'submit', 'admin'] as const;

/**
 * Refuses a request from an onRequest hook. A WebSocket upgrade is answered on its raw socket, which is
 * then closed (an error passed on would leave the socket open for good, and the server unable to close).
 */
function refuse(request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void, err: Error): void {
  if (!request.headers.upgrade || !(err instanceof HttpError)) return done(err);
  reply.hijack();
  const body = JSON.stringify({ error: err.code, message: err.message });
  (request.raw.socket as Duplex).end(
    `HTTP/1.1 ${err.statusCode} ${STATUS_CODES[err.statusCode] ?? 'Error'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** Routes that queue work: the ones the submission rate limit applies to. */
function isSubmission(method: string, url: string): boolean {
  if (method !== 'POST') return false;
  const path = url.split('?')[0]!;
  return (
    path === '/api/jobs' ||
    path === '/api/uploads' ||
    /^\/api\/(jobs|assets)\/[^/]+\/(retry|regenerate|upscale)$/.test(path) ||
    /^\/api\/chat\/threads\/[^/]+\/messages$/.test(path)
  );
}

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function loggerOption(config: Config, logger: BuildOptions['logger']): FastifyServerOptions['logger'] {
  if (logger === false) return false;
  const base = { level: config.logLevel, redact: { paths: SECRET_LOG_PATHS, censor: '[redacted]' } };
  return typeof logger === 'object' && logger !== null ? { ...base, ...logger } : base;
}

/** Wires every service and route; tests start it with their own config and key prefix. */
export async function buildServer(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  assertSafeBinding(config);
  const logger = loggerOption(config, options.logger);
  const app = Fastify({
    logger,
    // Fastify's two info lines per request would dominate the log (and the cost of a job submit);
    // errors are still logged by the error handler, and request lines come back at debug level.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimit,
    trustProxy: trustProxyOption(config.trustProxy),
    routerOptions: { maxParamLength: 1000 },
    frameworkErrors: frameworkErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();
  // TypeBox's compiler rejects unknown fields (Fastify's default Ajv would silently strip them).
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  app.setErrorHandler(errorHandler);
  if (logger && (app.log.level === 'debug' || app.log.level === 'trace')) {
    app.addHook('onResponse', async (request, reply) => {
      request.log.debug({ method: request.method, url: request.url, statusCode: reply.statusCode, ms: reply.elapsedTime }, 'request completed');
    });
  }
  // Host allow-list and Origin check on everything that acts or streams events (request-guard.ts).
  const guard = requestGuard(config);
  app.addHook('onRequest', (request, reply, done) => {
    try {
      guard.check(request);
      done();
    } catch (err) {
      refuse(request, reply, done, err as Error);
    }
  });
  // A callback hook, not an async one: this runs for every response, and needs no promise.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('text/html') && !request.url.startsWith('/api/docs')) {
      reply.header('content-security-policy', PAGE_CSP);
      reply.header('x-frame-options', 'SAMEORIGIN');
    }
    done(null, payload);
  });
  // JSON only: a text/plain body is 415, and an empty JSON body counts as no body.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, undefined);
    if (jsonDepthExceeds(body as string, MAX_JSON_DEPTH)) return done(badRequest('too_deep', `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels`), undefined);
    parseJson(request, body as string, done);
  });
  // Submissions per client and minute (RATE_LIMIT_SUBMITS); every other route is left alone.
  if (config.submitRateLimit > 0) {
    await app.register(rateLimit, {
      max: config.submitRateLimit,
      timeWindow: 60_000,
      allowList: (request) => !isSubmission(request.method, request.url),
      errorResponseBuilder: (_request, context) =>
        new HttpError('rate_limited', `More than ${context.max} submissions in a minute: try again in ${Math.ceil(context.ttl / 1000)} s`),
    });
  }

  // Auto-pipelining sends the commands issued during one event-loop turn as one write (many
  // concurrent submits: one syscall instead of two per job). Not on `blocking`: XREAD BLOCK would hold
  // up everything queued behind it.
  const redis = createRedis(config.redisUrl, app.log, { enableAutoPipelining: true });
  const blocking = createRedis(config.redisUrl, app.log, { maxRetriesPerRequest: null });
  // Who the request is and whether it may do this (auth/access-policy.ts); everyone is the local admin in local mode.
  const auth = new AuthService(new AuthStore(redis, config.keyPrefix), config, app.log);
  app.addHook('onRequest', (request, reply, done) => {
    const access = accessOf(request.method, request.url);
    if (access === 'public') return done();
    auth.principal(request).then(
      (principal) => {
        if (!principal) return refuse(request, reply, done, unauthorized());
        if (principal.rank < accessRank(access)) return refuse(request, reply, done, forbidden(`This needs ${access} access; you have ${RANK_NAMES[principal.rank]}`));
        request.principal = principal;
        done();
      },
      (err: unknown) => done(err as Error),
    );
  });
  const backends = new BackendRegistry(redis, config.keyPrefix, config.comfyuiUrls, options.backendCacheMs ?? 1000);
  const queues = new JobQueues(redis, config.keyPrefix, app.log);
  const eventLog = new EventLog(redis, config.keyPrefix);
  const jobStore = new JobStore(redis, config.keyPrefix);
  const queue = new QueueService(new ScheduleReader(redis, config.keyPrefix, backends, queues.schedule), queues, jobStore);
  const agents = new AgentService(queue, queues, eventLog);
  const reconciler = new QueueReconciler({ redis, keyPrefix: config.keyPrefix, queues, jobs: jobStore, log: app.log, ...(options.reconcileMs ? { intervalMs: options.reconcileMs } : {}) });
  const checker = new WorkflowChecker();
  const workflows = new WorkflowService({ redis, keyPrefix: config.keyPrefix, backends, checker });
  // Before the job service: submits fill a request's missing family from the catalogue.
  const models = new ModelCatalog({ modelsPath: config.modelsPath, redis, keyPrefix: config.keyPrefix, backends, log: app.log, ...options.models });
  // STORAGE=s3: outputs, thumbnails, trash and uploads live in the bucket (null: on this disk, as always).
  const objects = objectFilesFor(config);
  const siteAttachments = new SiteAttachments(config, redis, objects);
  const jobs = new JobService({
    models,
    redis,
    keyPrefix: config.keyPrefix,
    queues,
    backends,
    log: app.log,
    resolvers: { flux: fluxRequestResolver(config, redis), v0: v0RequestResolver(config, siteAttachments) },
    checker,
    workflows,
    places: queue,
    imageExists: imageExistence(config, redis, objects),
  });
  const gallery = new GalleryIndexing({ redis, keyPrefix: config.keyPrefix, outputPath: config.outputPath, dataPath: config.dataPath, log: app.log, ...options.gallery, objects });
  const assets = new AssetService(redis, config.keyPrefix, config.outputPath, { gallery, jobs });
  app.decorate('gallery', gallery);
  const health = new HealthService(redis, config, backends, queues);
  const hub = new EventHub(eventLog, blocking, app.log);

  app.addHook('onClose', async () => {
    await reconciler.stop();
    await gallery.close();
    await hub.close();
    await queues.close();
    await closeRedis(blocking);
    await closeRedis(redis);
    objects?.close();
  });
  const storage = new StorageIdentity(redis, config);
  app.addHook('onListen', async () => {
    const address = app.server.address();
    if (typeof address === 'object' && address) await storage.publishUrl(address.port).catch((err: unknown) => app.log.warn({ err }, 'could not publish the storage URL'));
  });
  // Do not hold up boot on a Redis that is down: the hub keeps trying on its own.
  const authReady = auth.bootstrap().catch((err: unknown) => app.log.warn({ err }, 'could not create the first admin'));
  const storageReady = storage.init().catch((err: unknown) => app.log.warn({ err }, 'could not mark the storage folders (workers on other machines wait for it)'));
  await Promise.race([Promise.all([hub.start(), queues.warm(), storageReady, authReady]), new Promise((r) => setTimeout(r, 2000).unref())]);

  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  await registerOpenApi(app, VERSION, { publicUrl: config.publicUrl });
  await app.register(authRoutes, { auth });
  await app.register(jobRoutes, { jobs });
  await app.register(queueRoutes, { jobs, queue });
  await app.register(agentRoutes, { agents });
  await app.register(eventRoutes, {
    hub,
    ...(auth.teamMode ? { stillAllowed: async (request: FastifyRequest) => (await auth.principal(request)) !== null } : {}),
    ...options.events,
  });
  await app.register(assetRoutes, { assets });
  await app.register(trashRoutes, { trash: gallery.trash, thumbsDir: path.join(config.dataPath, 'thumbs'), objects });
  await app.register(assetFileRoutes, { redis, config, objects });
  await app.register(modelRoutes, { models });
  await app.register(backendRoutes, { backends });
  await app.register(healthRoutes, { health });
  await app.register(comfyuiProxyRoutes, {
    comfyuiUrls: config.comfyuiUrls,
    ...(options.comfyuiProxyTimeoutMs ? { timeoutMs: options.comfyuiProxyTimeoutMs } : {}),
  });
  await app.register(legacyRoutes, { assets, models, backends, health, objects });
  await app.register(siteRoutes, { jobs, config, objects, attachments: siteAttachments });
  await app.register(uploadRoutes, { dataPath: config.dataPath, ...options.uploads, objects });
  await app.register(workflowRoutes, { workflows });
  await app.register(storageRoutes, { identity: storage, config });
  const chatStore = new ChatStore(redis, config.keyPrefix, options.chat?.maxMessages ?? CHAT_MAX_MESSAGES);
  const chatRunner = new ChatCommandRunner({ store: chatStore, jobs, jobRecords: jobStore, agents, models, sites: new SiteService(config, jobs, objects), log: app.log });
  await app.register(chatRoutes, { chat: new ChatService(chatStore, chatRunner, app.log) });
  app.get('/api/asyncapi.json', { schema: { hide: true } }, async (request) => asyncApiDocument(VERSION, request.headers.host ?? `${config.host}:${config.port}`));
  await app.register(metricsRoutes, { metrics: new MetricsService({ redis, keyPrefix: config.keyPrefix, hub, queues, queue }) });

  gallery.start();
  if (options.reconcile !== false) reconciler.start();

  const webDist = options.webDist instanceof URL ? fileURLToPath(options.webDist) : (options.webDist ?? DEFAULT_WEB_DIST);
  const spaFallback = await registerSpa(app, webDist);
  app.setNotFoundHandler((request, reply) => {
    const isPage = (request.method === 'GET' || request.method === 'HEAD') && !/^\/api(\/|$|\?)/.test(request.url);
    return isPage ? spaFallback(request, reply) : apiNotFound(request, reply);
  });

  return app as unknown as FastifyInstance;
}

/** TRUST_PROXY as Fastify takes it: a number of hops becomes "trust the first n hops" (proxy-addr's rule). */
function trustProxyOption(t: Config['trustProxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof t === 'number') return (_address, hop) => hop < t;
  return t === false ? false : [...t];
}
