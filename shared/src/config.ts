import Type from 'typebox';
import { Compile } from 'typebox/compile';

/** Runtime configuration, parsed once at boot from the environment (see .env.example). */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly redisUrl: string;
  readonly outputPath: string;
  readonly modelsPath: string;
  readonly dataPath: string;
  readonly comfyuiUrls: readonly string[];
  readonly bflApiKey: string | undefined;
  readonly bflApiUrl: string;
  /** BFL tasks in flight at once across every worker (the account's limit; BFL's default is 24). */
  readonly bflConcurrency: number;
  /** The same for flux-kontext-max, which BFL limits separately (6). */
  readonly bflKontextMaxConcurrency: number;
  /** FLUX jobs one worker process runs at once (they mostly wait on BFL). */
  readonly fluxWorkerConcurrency: number;
  readonly v0ApiKey: string | undefined;
  readonly v0ApiUrl: string;
  readonly logLevel: LogLevel;
  /** Prefix of every Redis key and queue this deployment owns (tests use a unique one per file). */
  readonly keyPrefix: string;
  /** Largest JSON body the API accepts, in bytes. */
  readonly bodyLimit: number;
  /**
   * How long a job's BullMQ lock lives without renewal. A crashed worker's ComfyUI jobs are adopted by
   * the backend's next owner within seconds; only a job nobody adopts goes back to the queue after it.
   */
  readonly jobLockMs: number;
  /** How long an idle backend may keep preferring jobs of its loaded model over an older job (model affinity). */
  readonly affinityMaxWaitMs: number;
  /** The server's address as workers on other machines reach it (published in Redis; default http://HOST:PORT). */
  readonly publicUrl: string | undefined;
  /** Worker: where to hand outputs over when the disk is not shared (default: what the server published). */
  readonly serverUrl: string | undefined;
  /** The secret workers send to the server's storage API (default: one the server keeps in Redis). */
  readonly workerToken: string | undefined;
  /** Host names the server answers for besides loopback, HOST and PUBLIC_URL's (DNS-rebinding guard); `*` for any. */
  readonly allowedHosts: readonly string[];
  /** Origins (`https://studio.example`) whose pages may act on the API besides its own. */
  readonly allowedOrigins: readonly string[];
  /** Job submissions one client may make per minute (0: no limit). */
  readonly submitRateLimit: number;
  /**
   * Reverse proxies whose X-Forwarded-For/-Proto the server believes (Fastify's trustProxy): their
   * addresses (or `loopback`, CIDRs), or how many hops; false when it is reached directly. Without it,
   * behind a proxy every client has the proxy's address (one login throttle, one rate limit for all).
   */
  readonly trustProxy: false | number | readonly string[];
  /** `on`: team mode (users, login, tokens). `off`: local mode (no login; only on loopback unless `off-i-know`). */
  readonly auth: 'on' | 'off' | 'off-i-know';
  /** The first admin, created on first start in team mode when there is no user yet. */
  readonly adminUser: string | undefined;
  readonly adminPassword: string | undefined;
  /** The site preview listener's port (a second origin, separate from the API; 0: any free port). */
  readonly previewPort: number;
  /** The preview origin as browsers reach it (default: the host name the page used, with previewPort). */
  readonly previewUrl: string | undefined;
  /** Host names (and `.suffix` wildcards) the preview proxy may fetch site demos from. */
  readonly previewDemoHosts: readonly string[];
  /** How long the preview proxy waits for a site's demo host before answering 504. */
  readonly previewUpstreamTimeoutMs: number;
  /** Where outputs, sidecars, thumbnails, site files and uploads live: this machine's disk (default) or an S3 bucket. */
  readonly storage: StorageConfig;
}

/** `local`: OUTPUT_PATH and DATA_PATH/uploads on disk. `s3`: one bucket, the same relative paths under `output/` and `uploads/`. */
export type StorageConfig = { readonly kind: 'local' } | S3StorageConfig;

export interface S3StorageConfig {
  readonly kind: 's3';
  /** http(s) URL of an S3-compatible service (MinIO, R2); unset: AWS for the region. */
  readonly endpoint: string | undefined;
  readonly bucket: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Path-style URLs (`endpoint/bucket/key`), as MinIO and most self-hosted services want. */
  readonly forcePathStyle: boolean;
  /** `stream`: the server streams files from the bucket; `presigned`: it redirects to a short-lived signed URL. */
  readonly publicReads: 'stream' | 'presigned';
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const EnvSchema = Type.Object({
  PORT: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$' })),
  HOST: Type.Optional(Type.String({ minLength: 1 })),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  OUTPUT_PATH: Type.Optional(Type.String({ minLength: 1 })),
  MODELS_PATH: Type.Optional(Type.String({ minLength: 1 })),
  DATA_PATH: Type.Optional(Type.String({ minLength: 1 })),
  COMFYUI_URLS: Type.Optional(Type.String()),
  COMFYUI_URL: Type.Optional(Type.String()),
  BFL_API_KEY: Type.Optional(Type.String()),
  BFL_API_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  BFL_CONCURRENCY: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,3}$' })),
  BFL_KONTEXT_MAX_CONCURRENCY: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,3}$' })),
  FLUX_WORKER_CONCURRENCY: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,3}$' })),
  V0_API_KEY: Type.Optional(Type.String()),
  V0_API_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  LOG_LEVEL: Type.Optional(Type.Enum(LOG_LEVELS)),
  // In braces ({orch}), every key of the deployment hashes to one Redis Cluster slot (docs/architecture.md).
  KEY_PREFIX: Type.Optional(Type.String({ pattern: '^(?:[A-Za-z0-9_.:-]{1,64}|\\{[A-Za-z0-9_.:-]{1,62}\\})$' })),
  BODY_LIMIT: Type.Optional(Type.String({ pattern: '^[0-9]{1,10}$' })),
  JOB_LOCK_MS: Type.Optional(Type.String({ pattern: '^[0-9]{3,7}$' })),
  AFFINITY_MAX_WAIT_MS: Type.Optional(Type.String({ pattern: '^[0-9]{1,8}$' })),
  PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  SERVER_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  WORKER_TOKEN: Type.Optional(Type.String({ minLength: 16, maxLength: 512 })),
  ALLOWED_HOSTS: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9.:*\\[\\], -]*$' })),
  ALLOWED_ORIGINS: Type.Optional(Type.String({ pattern: '^(https?://[^,\\s]+)(\\s*,\\s*https?://[^,\\s]+)*$' })),
  RATE_LIMIT_SUBMITS: Type.Optional(Type.String({ pattern: '^[0-9]{1,7}$' })),
  TRUST_PROXY: Type.Optional(Type.String({ pattern: '^(off|[1-9]|[0-9A-Za-z.:/]+(\\s*,\\s*[0-9A-Za-z.:/]+)*)$' })),
  AUTH: Type.Optional(Type.Enum(['on', 'off', 'off-i-know'])),
  ADMIN_USER: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.@-]{1,64}$' })),
  ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 8, maxLength: 256 })),
  PREVIEW_PORT: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$' })),
  PREVIEW_URL: Type.Optional(Type.String({ pattern: '^https?://[^/?#]+/?$' })),
  PREVIEW_DEMO_HOSTS: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9.:*\\[\\], -]*$' })),
  PREVIEW_UPSTREAM_TIMEOUT_MS: Type.Optional(Type.String({ pattern: '^[0-9]{3,6}$' })),
  STORAGE: Type.Optional(Type.Enum(['local', 's3'])),
  S3_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://[^/?#\\s]+/?$' })),
  S3_BUCKET: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' })),
  S3_REGION: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{1,32}$' })),
  S3_ACCESS_KEY_ID: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  S3_SECRET_ACCESS_KEY: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  S3_FORCE_PATH_STYLE: Type.Optional(Type.Enum(['true', 'false', '1', '0'])),
  S3_PUBLIC_READS: Type.Optional(Type.Enum(['stream', 'presigned'])),
});

const envValidator = Compile(EnvSchema);

/** What each key must look like, in words, for the boot error message. */
const EXPECTED: Record<string, string> = {
  PORT: 'a port number such as 3002',
  REDIS_URL: 'a redis:// or rediss:// URL such as redis://127.0.0.1:6379/0',
  BFL_API_URL: 'an http(s):// URL',
  BFL_CONCURRENCY: 'a whole number from 1 to 9999',
  BFL_KONTEXT_MAX_CONCURRENCY: 'a whole number from 1 to 9999',
  FLUX_WORKER_CONCURRENCY: 'a whole number from 1 to 9999',
  V0_API_URL: 'an http(s):// URL',
  LOG_LEVEL: `one of ${LOG_LEVELS.join(', ')}`,
  KEY_PREFIX: 'letters, digits and _ . : - (at most 64), or those in braces such as {orch} (a Redis Cluster hash tag)',
  BODY_LIMIT: 'a size in bytes',
  JOB_LOCK_MS: 'milliseconds between 100 and 9999999',
  AFFINITY_MAX_WAIT_MS: 'milliseconds (0 turns model affinity off)',
  PUBLIC_URL: 'an http(s):// URL such as http://studio.lan:3002',
  SERVER_URL: 'an http(s):// URL such as http://studio.lan:3002',
  WORKER_TOKEN: 'a secret of 16 to 512 characters',
  ALLOWED_HOSTS: 'a comma list of host names, e.g. studio.lan,192.168.1.20 (or *)',
  ALLOWED_ORIGINS: 'a comma list of origins, e.g. https://studio.example,http://localhost:5173',
  RATE_LIMIT_SUBMITS: 'submissions per minute per client (0 for no limit)',
  TRUST_PROXY: 'off, a number of proxy hops (1-9), or a comma list of proxy addresses / CIDRs (e.g. loopback,10.0.0.0/8)',
  AUTH: 'on (team mode: users and login), off (local mode), or off-i-know',
  ADMIN_USER: 'a user name: letters, digits and _ . @ -',
  ADMIN_PASSWORD: 'at least 8 characters',
  PREVIEW_PORT: 'a port number such as 3003 (0: any free port)',
  PREVIEW_URL: 'an origin such as http://studio.lan:3003 (no path)',
  PREVIEW_DEMO_HOSTS: 'a comma list of host names or .suffixes, e.g. .vusercontent.net,localhost',
  PREVIEW_UPSTREAM_TIMEOUT_MS: 'milliseconds between 100 and 600000, such as 15000',
  STORAGE: 'local (this machine\'s disk, the default) or s3 (a bucket: set S3_BUCKET, S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY)',
  S3_ENDPOINT: 'the http(s):// URL of an S3-compatible service, such as http://minio:9000 (no path)',
  S3_BUCKET: 'a bucket name: 3-63 lower-case letters, digits, . and -',
  S3_REGION: 'a region such as us-east-1',
  S3_ACCESS_KEY_ID: 'an access key id',
  S3_SECRET_ACCESS_KEY: 'a secret access key',
  S3_FORCE_PATH_STYLE: 'true or false',
  S3_PUBLIC_READS: 'stream (the server streams files from the bucket, the default) or presigned (it redirects to a short-lived signed URL)',
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function joinPath(base: string, child: string): string {
  return base.endsWith('/') ? base + child : `${base}/${child}`;
}

function commaList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

function parseUrlList(raw: string): string[] {
  const urls = raw
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u.length > 0)
    .map((u) => u.replace(/\/+$/, ''));
  for (const url of urls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError(`COMFYUI_URLS: "${url}" is not a URL (expected e.g. http://127.0.0.1:8188)`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new ConfigError(`COMFYUI_URLS: "${url}" must start with http:// or https://`);
    }
  }
  return [...new Set(urls)];
}

/**
 * Validates the environment and returns a frozen Config. Empty strings count as unset, so a `.env`
 * line like `BFL_API_KEY=` means "not configured". Throws ConfigError naming the bad key.
 */
export function parseConfig(env: Record<string, string | undefined>, cwd = '.'): Config {
  const relevant: Record<string, string> = {};
  for (const key of Object.keys(EnvSchema.properties)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') relevant[key] = value.trim();
  }
  if (!envValidator.Check(relevant)) {
    const first = [...envValidator.Errors(relevant)][0];
    const key = first?.instancePath.replace(/^\//, '') || 'environment';
    const shown = key in relevant && !/KEY|TOKEN|PASSWORD|SECRET/.test(key) ? ` (got "${relevant[key]}")` : '';
    throw new ConfigError(`Invalid ${key}${shown}: expected ${EXPECTED[key] ?? first?.message ?? 'a valid value'}`);
  }
  const e = relevant as Record<keyof typeof EnvSchema.properties, string | undefined>;
  const port = Number(e.PORT ?? '3002');
  if (port < 1 || port > 65535) throw new ConfigError(`Invalid PORT "${e.PORT}": must be 1-65535`);
  const previewPort = Number(e.PREVIEW_PORT ?? '3003');
  if (previewPort > 65535) throw new ConfigError(`Invalid PREVIEW_PORT "${e.PREVIEW_PORT}": must be 0-65535`);
  if (previewPort !== 0 && previewPort === port) throw new ConfigError(`PREVIEW_PORT must differ from PORT (${port}): site previews need an origin of their own`);
  const previewUpstreamTimeoutMs = Number(e.PREVIEW_UPSTREAM_TIMEOUT_MS ?? '15000');
  if (previewUpstreamTimeoutMs < 100 || previewUpstreamTimeoutMs > 600_000) {
    throw new ConfigError(`Invalid PREVIEW_UPSTREAM_TIMEOUT_MS "${e.PREVIEW_UPSTREAM_TIMEOUT_MS}": expected ${EXPECTED.PREVIEW_UPSTREAM_TIMEOUT_MS}`);
  }
  const dataPath = e.DATA_PATH ?? joinPath(cwd, 'data');
  const comfyRaw = e.COMFYUI_URLS ?? e.COMFYUI_URL ?? '';
  return Object.freeze({
    port,
    host: e.HOST ?? '127.0.0.1',
    redisUrl: e.REDIS_URL ?? 'redis://127.0.0.1:6379',
    outputPath: e.OUTPUT_PATH ?? joinPath(dataPath, 'output'),
    modelsPath: e.MODELS_PATH ?? joinPath(dataPath, 'models'),
    dataPath,
    comfyuiUrls: Object.freeze(parseUrlList(comfyRaw)),
    bflApiKey: e.BFL_API_KEY,
    bflApiUrl: (e.BFL_API_URL ?? 'https://api.bfl.ai').replace(/\/+$/, ''),
    bflConcurrency: Number(e.BFL_CONCURRENCY ?? '24'),
    bflKontextMaxConcurrency: Number(e.BFL_KONTEXT_MAX_CONCURRENCY ?? '6'),
    fluxWorkerConcurrency: Number(e.FLUX_WORKER_CONCURRENCY ?? '8'),
    v0ApiKey: e.V0_API_KEY,
    v0ApiUrl: (e.V0_API_URL ?? 'https://api.v0.dev/v1').replace(/\/+$/, ''),
    logLevel: (e.LOG_LEVEL as LogLevel | undefined) ?? 'info',
    keyPrefix: e.KEY_PREFIX ?? 'orch',
    bodyLimit: Number(e.BODY_LIMIT ?? String(1024 * 1024)),
    jobLockMs: Number(e.JOB_LOCK_MS ?? '30000'),
    affinityMaxWaitMs: Number(e.AFFINITY_MAX_WAIT_MS ?? '60000'),
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    serverUrl: e.SERVER_URL?.replace(/\/+$/, ''),
    workerToken: e.WORKER_TOKEN,
    allowedHosts: Object.freeze(commaList(e.ALLOWED_HOSTS).map((h) => h.toLowerCase())),
    allowedOrigins: Object.freeze(commaList(e.ALLOWED_ORIGINS).map((o) => o.replace(/\/+$/, '').toLowerCase())),
    submitRateLimit: Number(e.RATE_LIMIT_SUBMITS ?? '600'),
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    auth: (e.AUTH as Config['auth'] | undefined) ?? 'off',
    adminUser: e.ADMIN_USER,
    adminPassword: e.ADMIN_PASSWORD,
    previewPort,
    previewUrl: e.PREVIEW_URL?.replace(/\/+$/, ''),
    previewDemoHosts: Object.freeze(commaList(e.PREVIEW_DEMO_HOSTS ?? '.vusercontent.net').map((h) => h.toLowerCase())),
    previewUpstreamTimeoutMs,
    storage: parseStorage(e),
  });
}

const S3_REQUIRED = ['S3_BUCKET', 'S3_REGION', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const;

function parseStorage(e: Partial<Record<keyof typeof EnvSchema.properties, string>>): StorageConfig {
  if (e.STORAGE !== 's3') {
    const stray = Object.keys(e).filter((k) => k.startsWith('S3_'));
    if (stray.length > 0 && e.STORAGE === undefined) throw new ConfigError(`${stray[0]} is set but STORAGE is not: set STORAGE=s3 to keep files in a bucket (or remove the S3_ keys)`);
    return Object.freeze({ kind: 'local' as const });
  }
  const missing = S3_REQUIRED.filter((k) => e[k] === undefined);
  if (missing.length > 0) throw new ConfigError(`STORAGE=s3 needs ${missing.join(', ')} (missing)`);
  return Object.freeze({
    kind: 's3' as const,
    endpoint: e.S3_ENDPOINT?.replace(/\/+$/, ''),
    bucket: e.S3_BUCKET!,
    region: e.S3_REGION!,
    accessKeyId: e.S3_ACCESS_KEY_ID!,
    secretAccessKey: e.S3_SECRET_ACCESS_KEY!,
    forcePathStyle: e.S3_FORCE_PATH_STYLE === 'true' || e.S3_FORCE_PATH_STYLE === '1',
    publicReads: (e.S3_PUBLIC_READS as 'stream' | 'presigned' | undefined) ?? 'stream',
  });
}

/** Paths of secrets for pino's `redact` option: secrets are never logged. */
export const SECRET_LOG_PATHS = [
  'bflApiKey',
  'v0ApiKey',
  'config.bflApiKey',
  'config.v0ApiKey',
  'workerToken',
  'config.workerToken',
  'adminPassword',
  'config.adminPassword',
  'secretAccessKey',
  'storage.secretAccessKey',
  'config.storage.secretAccessKey',
  'accessKeyId',
  'storage.accessKeyId',
  'config.storage.accessKeyId',
  'password',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'req.headers.authorization',
  'req.headers["x-key"]',
  'headers.authorization',
  'headers["x-key"]',
];

function parseTrustProxy(value: string | undefined): Config['trustProxy'] {
  if (value === undefined || value === '' || value === 'off') return false;
  if (/^[1-9]$/.test(value)) return Number(value);
  return Object.freeze(commaList(value));
}
