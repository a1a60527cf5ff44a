import { v0RequestProblem, type Config, type JobRequest } from '@orchestrator/shared';
import { HttpError, badRequest } from '../errors.js';
import type { SiteAttachments } from '../sites/attachments.js';

/**
 * What `POST /api/jobs` checks for provider "v0" beyond the schema: that v0 is configured, so a
 * site job never waits forever for a worker that cannot serve it; and that its attachments exist and
 * fit in a message (a large picture is replaced by its downscaled copy, SiteAttachments).
 */
export function v0RequestResolver(config: Config, attachments?: SiteAttachments): (request: JobRequest) => Promise<JobRequest> {
  return async (request) => {
    if (request.provider !== 'v0') return request;
    if (!config.v0ApiKey) {
      throw badRequest('provider_not_configured', 'Site generation is not configured on this server: set V0_API_KEY (your v0 Platform API key) and restart');
    }
    const problem = v0RequestProblem(request);
    if (problem) {
      const where = `body${problem.path}`;
      throw new HttpError('validation_failed', `Invalid request: ${where} ${problem.message}`, [{ path: where, message: problem.message }]);
    }
    if (!request.attachments?.length) return request;
    if (!attachments) throw badRequest('validation_failed', 'This server cannot send pictures to v0');
    return { ...request, attachments: await attachments.prepareIds(request.attachments) };
  };
}
