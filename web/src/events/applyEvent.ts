import type { QueryClient } from '@tanstack/react-query';
import {
  Agent,
  Asset,
  BackendStatus,
  checked,
  isFinal,
  Job,
  JobPreview,
  type Agent as AgentT,
  type AgentList as AgentListT,
  type AppEvent,
  type BackendStatus as BackendStatusT,
  type Job as JobT,
} from '@orchestrator/shared';
import { queryKeys } from '../api/keys';
import { latest } from '../lib/jobState';
import { findItem, upsertItem, type Pages } from '../lib/pages';
import { upsertAgent } from '../lib/queueCache';
import { addToGallery, removeFromGallery, updateInGallery } from './galleryCache';
import { applyChatEvent } from './chatEvents';
import { recentJobs } from './recentChanges';

const validJob = checked(Job);
const validAsset = checked(Asset);
const validBackend = checked(BackendStatus);
const validPreview = checked(JobPreview);
const validAgent = checked(Agent);

export interface EventEffects {
  /** A job failed while the page was open. */
  onJobFailed?: (job: JobT) => void;
  /** An asset left the gallery (UI state that refers to it lets go). */
  onAssetRemoved?: (id: string) => void;
  /**
   * Something the queue view and the agents show may have changed: a job was queued, re-prioritised,
   * started or ended, a backend or an agent changed state. Those are refetched, not patched.
   */
  onQueueChanged?: () => void;
}

/**
 * Applies one event to the react-query cache: the only way server state changes after the first
 * fetch. Payloads that do not match the shared schemas are ignored.
 */
export function applyEvent(client: QueryClient, event: AppEvent, effects: EventEffects = {}): void {
  switch (event.type) {
    case 'job.queued':
    case 'job.started':
    case 'job.progress':
    case 'job.completed':
    case 'job.failed':
    case 'job.cancelled': {
      if (!validJob.check(event.data)) return;
      const job = event.data;
      recentJobs.record(job.id, job);
      client.setQueryData<Pages<JobT>>(queryKeys.jobs, (data) => upsertItem(data, job, latest));
      client.setQueryData<JobT>(queryKeys.job(job.id), (old) => (old ? latest(old, job) : old));
      if (isFinal(job.status)) client.removeQueries({ queryKey: queryKeys.preview(job.id), exact: true });
      if (event.type === 'job.failed') effects.onJobFailed?.(job);
      // Progress of a running job moves nothing in the queue; a queued job's "progress" is a new priority.
      if (event.type !== 'job.progress' || job.status === 'queued') effects.onQueueChanged?.();
      return;
    }
    case 'job.preview': {
      if (!validPreview.check(event.data)) return;
      const { jobId, dataUrl } = event.data;
      // A late frame must not bring back the preview of a job that already finished.
      const job = client.getQueryData<JobT>(queryKeys.job(jobId)) ?? findItem(client.getQueryData<Pages<JobT>>(queryKeys.jobs), jobId);
      if (job && isFinal(job.status)) return;
      client.setQueryData(queryKeys.preview(jobId), dataUrl);
      return;
    }
    case 'asset.added': {
      if (!validAsset.check(event.data)) return;
      addToGallery(client, event.data);
      // A restore brings an asset back: it is no longer in the trash.
      void client.invalidateQueries({ queryKey: queryKeys.trash });
      return;
    }
    case 'asset.updated': {
      if (!validAsset.check(event.data)) return;
      updateInGallery(client, event.data);
      return;
    }
    case 'asset.removed': {
      const data = event.data as { id?: unknown } | null;
      if (typeof data?.id !== 'string') return;
      removeFromGallery(client, data.id);
      effects.onAssetRemoved?.(data.id);
      void client.invalidateQueries({ queryKey: queryKeys.trash });
      return;
    }
    case 'backend.status': {
      if (!validBackend.check(event.data)) return;
      const backend = event.data;
      client.setQueryData<BackendStatusT[]>(queryKeys.backends, (list) => {
        if (!list) return list;
        const idx = list.findIndex((b) => b.id === backend.id);
        if (idx < 0) return [...list, backend];
        const next = list.slice();
        next[idx] = backend;
        return next;
      });
      effects.onQueueChanged?.();
      return;
    }
    case 'agent.status': {
      if (!validAgent.check(event.data)) return;
      const agent: AgentT = event.data;
      client.setQueryData<AgentListT>(queryKeys.agents, (list) => upsertAgent(list, agent));
      effects.onQueueChanged?.();
      return;
    }
    case 'chat.message':
      applyChatEvent(client, event.data);
      return;
  }
}
