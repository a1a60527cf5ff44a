import { useMutation, useQueryClient } from '@tanstack/react-query';
import { newJob, type CancelResponse, type Job, type JobRequest } from '@orchestrator/shared';
import { api } from '../api/endpoints';
import { queryKeys } from '../api/keys';
import { latest } from '../lib/jobState';
import { updateItem, upsertItem, type Pages } from '../lib/pages';

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

/**
 * DELETE /api/jobs/:id. The answer is not a Job: the job reads `cancelled` at once (its cached record
 * gets that status now); `cancelRequested` says a worker is stopping it on its backend. The
 * `job.cancelled` event, or the refetch asked for here, brings the whole record.
 */
export function useCancelJob() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (job: Job): Promise<CancelResponse> => api.cancelJob(job.id),
    onSuccess: (result) => {
      const cancel = (job: Job): Job => (job.status === 'queued' || job.status === 'running' ? { ...job, status: 'cancelled' } : job);
      client.setQueryData<Pages<Job>>(queryKeys.jobs, (data) => updateItem(data, result.id, cancel));
      client.setQueryData<Job>(queryKeys.job(result.id), (old) => (old ? cancel(old) : old));
      void client.invalidateQueries({ queryKey: queryKeys.job(result.id), exact: true });
    },
  });
}
