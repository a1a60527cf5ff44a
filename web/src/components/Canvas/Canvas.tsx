import { useCallback, useMemo } from 'react';
import type { Asset, Job } from '@orchestrator/shared';
import { errorMessage } from '../../api/client';
import { useAssets } from '../../hooks/useAssets';
import { useJobs } from '../../hooks/useJobs';
import { isActive } from '../../lib/jobState';
import { useLayout } from '../../state/layout';
import { useSelection } from '../../state/selection';
import { AssetGrid } from '../AssetGrid/AssetGrid';
import { JobCard } from '../JobCard/JobCard';
import styles from './Canvas.module.css';

/** Failures older than this are only listed in the queue, not kept on the canvas. */
const FAILED_VISIBLE_MS = 24 * 3600_000;

/** Jobs that belong on the canvas: running and waiting ones in queue order, then recent failures. */
function canvasJobs(jobs: Job[], dismissed: string[]): Job[] {
  const retried = new Set(jobs.map((j) => j.retryOf).filter(Boolean));
  const hidden = new Set(dismissed);
  const cutoff = Date.now() - FAILED_VISIBLE_MS;
  const active = jobs.filter(isActive).sort((a, b) => (a.status === b.status ? a.createdAt.localeCompare(b.createdAt) : a.status === 'running' ? -1 : 1));
  const failed = jobs.filter(
    (j) => j.status === 'failed' && !retried.has(j.id) && !hidden.has(j.id) && Date.parse(j.finishedAt ?? j.createdAt) >= cutoff,
  );
  return [...active, ...failed];
}

interface Props {
  /** Called when a tile is chosen by pointer (the narrow layout then shows the Inspector). */
  onOpenAsset?: () => void;
}

export function Canvas({ onOpenAsset }: Props) {
  const { jobs } = useJobs();
  const { assets, error, isPending, hasNextPage, isFetchingNextPage, fetchNextPage } = useAssets();
  const dismissed = useLayout((s) => s.dismissedJobs);
  const selected = useSelection((s) => s.selected);
  const select = useSelection((s) => s.select);
  const cards = useMemo(() => canvasJobs(jobs, dismissed), [jobs, dismissed]);

  const loadMore = useCallback(() => {
    if (!isFetchingNextPage) void fetchNextPage();
  }, [fetchNextPage, isFetchingNextPage]);
  const onSelect = useCallback(
    (asset: Asset, how: 'pointer' | 'keyboard') => {
      select({ kind: 'asset', id: asset.id });
      if (how === 'pointer') onOpenAsset?.();
    },
    [select, onOpenAsset],
  );

  return (
    <div className={styles.canvas}>
      <header className={styles.header}>
        <h2 className={styles.title}>Canvas</h2>
        <span className={styles.count}>
          {assets.length > 0 && !hasNextPage && `${assets.length} ${assets.length === 1 ? 'item' : 'items'}`}
        </span>
      </header>
      {cards.length > 0 && (
        <section className={styles.jobs} aria-label="Jobs in progress">
          {cards.map((job) => (
            <JobCard key={job.id} job={job} />
          ))}
        </section>
      )}
      {error && (
        <p className={styles.message} role="alert">
          Cannot load the gallery: {errorMessage(error)}
        </p>
      )}
      {!error && isPending && <p className={styles.message}>Loading gallery…</p>}
      {!error && !isPending && assets.length === 0 && cards.length === 0 && (
        <div className={styles.empty}>
          <p className={styles.emptyTitle}>Nothing here yet</p>
          <p>Write a prompt under Create and press Generate. Results appear here as soon as they are ready.</p>
        </div>
      )}
      {assets.length > 0 && (
        <AssetGrid
          assets={assets}
          selectedId={selected?.kind === 'asset' ? selected.id : null}
          onSelect={onSelect}
          hasMore={hasNextPage}
          loadMore={loadMore}
        />
      )}
    </div>
  );
}
