import { useMutation, useQueryClient } from '@tanstack/react-query';
import { newJob, type CancelResponse, type Job, type JobPriority, type JobRequest, type QueueView } from '@orchestrator/shared';
import { api } from '../api/endpoints';
import { queryKeys } from '../api/keys';
import { latest } from '../lib/jobState';
import { updateItem, upsertItem, type Pages } from '../lib/pages';
import { moveToFront, removeFromQueue, setPriority } from '../lib/queueCache';
import { usePromptHistory } from '../state/promptHistory';
import { withSubmitPriority } from '../state/submitPriority';

function useRecordJob() {
  const client = useQueryClient();
  return (job: Job) => {
    client.setQueryData<Pages<Job>>(queryKeys.jobs, (data) => upsertItem(data, job, latest));
    client.setQueryData<Job>(queryKeys.job(job.id), (old) => (old ? latest(old, job) : old));
  };
}

/**
 * POST /api/jobs, with the priority chosen beside the Generate button. The accepted job is put in the
 * cache at once (as the server made it), so it shows even if its `job.queued` event is still on the
 * way; the event then merges into it.
 */
export function useCreateJob() {
  const record = useRecordJob();
  return useMutation({
    mutationFn: async (request: JobRequest) => {
      const sent = withSubmitPriority(request);
      return { accepted: await api.createJob(sent), sent };
    },
    onSuccess: ({ accepted, sent }) => {
      record(newJob(accepted.id, sent, new Date()));
      if (sent.prompt) usePromptHistory.getState().remember(sent.prompt);
    },
  });
}

/** Several jobs were asked for and only some were queued before one was refused. */
export class PartlyQueuedError extends Error {
  override readonly name = 'PartlyQueuedError';
  constructor(
    readonly queued: number,
    readonly asked: number,
    cause: unknown,
  ) {
    super(`Queued ${queued} of ${asked} jobs: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/**
 * "N jobs": POST /api/jobs once per request, in order, each job in the cache as soon as it is
 * accepted. The first refusal stops the rest (they would be refused alike) and says how many went.
 */
export function useCreateJobs() {
  const record = useRecordJob();
  return useMutation({
    mutationFn: async (requests: readonly JobRequest[]) => {
      const ids: string[] = [];
      for (const request of requests) {
        const sent = withSubmitPriority(request);
        let accepted;
        try {
          accepted = await api.createJob(sent);
        } catch (err) {
          if (ids.length === 0) throw err;
          throw new PartlyQueuedError(ids.length, requests.length, err);
        }
        ids.push(accepted.id);
        record(newJob(accepted.id, sent, new Date()));
      }
      return ids;
    },
    onSuccess: (_ids, requests) => {
      const prompt = requests[0]?.prompt;
      if (prompt) usePromptHistory.getState().remember(prompt);
    },
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
      client.setQueryData<QueueView>(queryKeys.queue, (view) => removeFromQueue(view, result.id));
      void client.invalidateQueries({ queryKey: queryKeys.job(result.id), exact: true });
    },
  });
}

/**
 * A change of a queued job's place: the cached queue view shows it at once, the server's answer (the
 * job, with its new place) replaces the job's records, and the view is refetched for the order the
 * server decided. A refusal (409 `not_queued`: it started meanwhile) puts the view back.
 */
function useRerank<V>(mutationFn: (vars: V) => Promise<Job>, edit: (view: QueueView | undefined, vars: V) => QueueView | undefined) {
  const client = useQueryClient();
  const record = useRecordJob();
  return useMutation({
    mutationFn,
    onMutate: async (vars: V) => {
      await client.cancelQueries({ queryKey: queryKeys.queue });
      const before = client.getQueryData<QueueView>(queryKeys.queue);
      client.setQueryData<QueueView>(queryKeys.queue, (view) => edit(view, vars));
      return { before };
    },
    onSuccess: (job) => record(job),
    onError: (_err, _vars, context) => {
      if (context?.before) client.setQueryData(queryKeys.queue, context.before);
    },
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.queue }),
  });
}

/** POST /api/jobs/:id/move-to-front: it starts before every other waiting job of its provider. */
export function useMoveToFront() {
  return useRerank(
    (job: Job) => api.moveJobToFront(job.id),
    (view, job) => moveToFront(view, job.id),
  );
}

/** PATCH /api/jobs/:id {priority}. */
export function useSetJobPriority() {
  return useRerank(
    ({ job, priority }: { job: Job; priority: JobPriority }) => api.setJobPriority(job.id, priority),
    (view, { job, priority }) => setPriority(view, job.id, priority),
  );
}
