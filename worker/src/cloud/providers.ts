import type { CloudProviderEntry } from './registry.js';
import { fluxCloudProvider } from '../providers/bfl/index.js';
import { v0CloudProvider } from '../providers/v0/index.js';

/**
 * Every cloud queue this worker can serve. A new provider is one entry here (see registry.ts for the
 * contract, providers/bfl/index.ts for an example).
 */
export const CLOUD_PROVIDERS: readonly CloudProviderEntry[] = [fluxCloudProvider, v0CloudProvider];
