import { useQuery } from '@tanstack/react-query';
import type { Job, QueuePlace, QueueView } from '@orchestrator/shared';
import { api } from '../api/endpoints';
import { queryKeys } from '../api/keys';
import { placeOf } from '../lib/queueCache';
import { useConnection } from '../state/connection';

/*
 * Events ask for a refetch of the queue view (events/queueRefresh.ts); the slow poll only catches what
 * sends no event, such as a worker process that went away.
 */
const POLL_MS = 15_000;

const queueQuery = {
  queryKey: queryKeys.queue,
  queryFn: ({ signal }: { signal: AbortSignal }) => api.queue(signal),
  refetchInterval: POLL_MS,
} as const;

/** The waiting jobs of every provider in the order they will start, each with why it waits. */
export function useQueue({ enabled = true }: { enabled?: boolean } = {}) {
  const ready = useConnection((s) => s.ready);
  return useQuery({ ...queueQuery, enabled: ready && enabled });
}

/** How many jobs wait in all (every provider), once the view has loaded. */
export function useQueueTotal(enabled: boolean): number | undefined {
  const ready = useConnection((s) => s.ready);
  return useQuery({ ...queueQuery, enabled: ready && enabled, select: (view: QueueView) => view.total }).data;
}

/**
 * Where a queued job waits and why: from the queue view (kept current by events), else from the job
 * record (the REST routes fill `queue`; an event's copy of the job may not).
 */
export function useQueuePlace(job: Job): QueuePlace | undefined {
  const ready = useConnection((s) => s.ready);
  const queued = job.status === 'queued';
  const { data } = useQuery({ ...queueQuery, enabled: ready && queued, select: (view: QueueView) => placeOf(view, job.id) });
  return queued ? (data ?? job.queue) : undefined;
}
