import type { Config, JobRequest } from '@orchestrator/shared';
import { badRequest } from '../errors.js';

/**
 * What `POST /api/jobs` checks for provider "v0" beyond the schema: that v0 is configured, so a
 * site job never waits forever for a worker that cannot serve it.
 */
export function v0RequestResolver(config: Config): (request: JobRequest) => Promise<JobRequest> {
  return async (request) => {
    if (request.provider !== 'v0') return request;
    if (!config.v0ApiKey) {
      throw badRequest('provider_not_configured', 'Site generation is not configured on this server: set V0_API_KEY (your v0 Platform API key) and restart');
    }
    return request;
  };
}
