import type { FluxJobRequest } from '@orchestrator/shared';
import type { CloudProviderEntry } from '../../cloud/registry.js';
import { BflHttpClient } from './http-client.js';
import { BflProvider, type BflTuning } from './provider.js';
import { RedisSemaphore } from './semaphore.js';
import { BflTaskStore } from './task-store.js';

/*
 * The `flux` queue: FLUX images through the BFL API. Every BFL task holds a slot of the account-wide
 * semaphore (BFL_CONCURRENCY, 24) for its whole life, submit to download; flux-kontext-max also one of
 * its own pool (BFL_KONTEXT_MAX_CONCURRENCY, 6).
 */

export type FluxCloudOptions = Partial<BflTuning>;

export const fluxCloudProvider: CloudProviderEntry = {
  queue: 'flux',
  backendId: 'bfl',
  enabled: (config) => Boolean(config.bflApiKey),
  concurrency: (config) => config.fluxWorkerConcurrency,
  create({ config, redis, keys, assets, storage, log, options }) {
    const client = new BflHttpClient(config.bflApiUrl, config.bflApiKey ?? '');
    const semaphore = new RedisSemaphore(redis, config.jobLockMs, log);
    const provider = new BflProvider({
      client,
      tasks: new BflTaskStore(redis, (jobId) => keys.cloudTask('bfl', jobId)),
      roots: { assets, output: storage.output, uploads: storage.uploads },
      store: storage.output,
      ...(storage.thumbnails ? { thumbnails: storage.thumbnails } : {}),
      tuning: (options ?? {}) as FluxCloudOptions,
    });
    const account = { key: keys.semaphore('bfl'), limit: config.bflConcurrency };
    return {
      provider,
      hasRoom: async () => (await semaphore.holders(account.key)).length < account.limit,
      acquire: (data) => {
        const model = (data.request as FluxJobRequest).model;
        const pools = [account];
        if (model === 'flux-kontext-max') pools.push({ key: keys.semaphore('bfl:flux-kontext-max'), limit: config.bflKontextMaxConcurrency });
        return semaphore.acquire(data.id, pools);
      },
    };
  },
};
