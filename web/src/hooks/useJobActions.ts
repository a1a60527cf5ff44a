import { useMutation, useQueryClient } from '@tanstack/react-query';
import { newJob, type Job, type JobRequest } from '@orchestrator/shared';
import { api, type CancelResult } from '../api/endpoints';
import { queryKeys } from '../api/keys';
import { latest } from '../lib/jobState';
import { upsertItem, type Pages } from '../lib/pages';

function useRecordJob() {
  const client = useQueryClient();
  return (job: Job) => {
    client.setQueryData<Pages<Job>>(queryKeys.jobs, (data) => upsertItem(data, job, latest));
    client.setQueryData<Job>(queryKeys.job(job.id), (old) => (old ? latest(old, job) : old));
  };
}

/**
 * POST /api/jobs. The accepted job is put in the cache at once (as the server made it), so it shows
 * even if its `job.queued` event is still on the way; the event then merges into it.
 */
export function useCreateJob() {
  const record = useRecordJob();
  return useMutation({
    mutationFn: (request: JobRequest) => api.createJob(request),
    onSuccess: ({ id }, request) => record(newJob(id, request, new Date())),
  });
}

/** POST /api/jobs/validate: the workflow checked against an online backend, nothing queued. */
export function useValidateJob() {
  return useMutation({ mutationFn: (request: JobRequest) => api.validateJob(request) });
}

export function useRetryJob() {
  const record = useRecordJob();
  return useMutation({
    mutationFn: (job: Job) => api.retryJob(job.id),
    onSuccess: ({ id }, job) => record(newJob(id, job.request, new Date(), job.id)),
  });
}

/** DELETE /api/jobs/:id: a waiting job comes back cancelled; a running one is asked to stop (202). */
export function useCancelJob() {
  const record = useRecordJob();
  return useMutation({
    mutationFn: (job: Job): Promise<CancelResult> => api.cancelJob(job.id),
    onSuccess: (result) => {
      if ('id' in result) record(result);
    },
  });
}
