import { LocalFileStore, type Config, type FileStore } from '@orchestrator/shared';
import type { CloudProviderEntry } from '../../cloud/registry.js';
import { JobFailure } from '../../errors.js';
import type { Provider } from '../provider.js';
import type { OutputThumbnails } from '../../storage/output-thumbnails.js';
import type { InputImageSources } from '../../storage/input-image.js';
import { V0Client, type V0ClientOptions } from './client.js';
import { V0Provider, type V0Tuning } from './provider.js';
import { DEFAULT_SITE_LIMITS, SiteWriter, type SiteLimits } from './site-writer.js';
import { MemoryV0TaskStore, RedisV0TaskStore, type V0TaskStore } from './task-store.js';

/*
 * The `v0` queue: websites through the v0 Platform API. The key comes from config (V0_API_KEY) only.
 */

export interface V0ProviderOptions {
  tasks?: V0TaskStore;
  tuning?: Partial<V0Tuning>;
  client?: Partial<Omit<V0ClientOptions, 'baseUrl' | 'apiKey'>>;
  limits?: Partial<SiteLimits>;
  /** OUTPUT_PATH as this worker reaches it (default: the local folder). */
  store?: FileStore;
  /** Where the site's thumbnail goes (none: the server makes it when asked). */
  thumbnails?: OutputThumbnails;
  /** Where a message's pictures (`attachments`) are read from. */
  images?: InputImageSources;
}

/** A provider that fails every job with a clear message (the key is missing). */
const notConfigured: Provider = {
  run: async () => {
    throw new JobFailure('provider_auth', 'v0 is not configured: set V0_API_KEY for the worker');
  },
};

export function createV0Provider(config: Config, deps: V0ProviderOptions = {}): Provider {
  if (!config.v0ApiKey) return notConfigured;
  return new V0Provider({
    client: new V0Client({ baseUrl: config.v0ApiUrl, apiKey: config.v0ApiKey, ...deps.client }),
    writer: new SiteWriter(deps.store ?? new LocalFileStore(config.outputPath), { ...DEFAULT_SITE_LIMITS, ...deps.limits }),
    tasks: deps.tasks ?? new MemoryV0TaskStore(),
    ...(deps.tuning ? { tuning: deps.tuning } : {}),
    ...(deps.thumbnails ? { thumbnails: deps.thumbnails } : {}),
    ...(deps.images ? { images: deps.images } : {}),
  });
}

/** v0 jobs one worker process runs at once: they mostly wait on v0. */
const V0_WORKER_CONCURRENCY = 4;

export const v0CloudProvider: CloudProviderEntry = {
  queue: 'v0',
  backendId: 'v0',
  enabled: (config) => Boolean(config.v0ApiKey),
  concurrency: () => V0_WORKER_CONCURRENCY,
  create({ config, redis, keys, assets, storage, options }) {
    // RuntimeOptions.cloud.v0 is flat tuning, like the flux queue's: `{ v0: { pollInitialMs: 50 } }`.
    const tuning = (options ?? {}) as Partial<V0Tuning>;
    return {
      provider: createV0Provider(config, {
        tuning,
        store: storage.output,
        images: { uploads: storage.uploads, output: storage.output, assets },
        ...(storage.thumbnails ? { thumbnails: storage.thumbnails } : {}),
        tasks: new RedisV0TaskStore(redis, (jobId) => keys.cloudTask('v0', jobId)),
      }),
    };
  },
};
