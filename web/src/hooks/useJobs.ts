import { useMemo } from 'react';
import { skipToken, useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Job } from '@orchestrator/shared';
import { api } from '../api/endpoints';
import { queryKeys } from '../api/keys';
import { recentJobs } from '../events/recentChanges';
import { latest } from '../lib/jobState';
import { findItem, flatten, reconcilePage, type Pages } from '../lib/pages';
import { useConnection } from '../state/connection';

/** Recent jobs, newest first. Fetched once; kept current by events. */
export function useJobs() {
  const ready = useConnection((s) => s.ready);
  const query = useInfiniteQuery({
    queryKey: queryKeys.jobs,
    queryFn: async ({ pageParam, signal }) => {
      const page = await api.listJobs(pageParam, signal);
      return pageParam ? page : reconcilePage(page, recentJobs.list(), latest);
    },
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor,
    enabled: ready,
  });
  const jobs = useMemo(() => flatten(query.data), [query.data]);
  return { ...query, jobs };
}

/** One job: from the list when it is there, else fetched by id. */
export function useJob(id: string | null) {
  const client = useQueryClient();
  const ready = useConnection((s) => s.ready);
  return useQuery({
    queryKey: queryKeys.job(id ?? ''),
    queryFn: id && ready ? ({ signal }) => api.getJob(id, signal) : skipToken,
    initialData: () => (id ? findItem(client.getQueryData<Pages<Job>>(queryKeys.jobs), id) : undefined),
  });
}

/** The latest preview frame of a running job (from `job.preview` events), if any. */
export function usePreview(jobId: string): string | undefined {
  const { data } = useQuery<string>({ queryKey: queryKeys.preview(jobId), queryFn: skipToken, staleTime: Infinity });
  return data;
}
