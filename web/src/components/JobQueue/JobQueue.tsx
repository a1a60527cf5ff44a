import { errorMessage } from '../../api/client';
import { useJobs } from '../../hooks/useJobs';
import { formatShortTime, STATUS_LABEL } from '../../lib/format';
import { jobTitle } from '../../lib/jobState';
import { isSelected, useSelection } from '../../state/selection';
import styles from './JobQueue.module.css';

/** Recent jobs, newest first; selecting one shows it in the Inspector. */
export function JobQueue() {
  const { jobs, error, isPending, hasNextPage, fetchNextPage, isFetchingNextPage } = useJobs();
  const selected = useSelection((s) => s.selected);
  const select = useSelection((s) => s.select);
  const running = jobs.filter((j) => j.status === 'running').length;
  const queued = jobs.filter((j) => j.status === 'queued').length;

  return (
    <section className={styles.queue} aria-labelledby="queue-heading">
      <h2 id="queue-heading" className={styles.heading}>
        Jobs
        <span className={styles.counts}>
          {running > 0 && `${running} running`}
          {running > 0 && queued > 0 && ' · '}
          {queued > 0 && `${queued} queued`}
        </span>
      </h2>
      {error && (
        <p className={styles.note} role="alert">
          Cannot load jobs: {errorMessage(error)}
        </p>
      )}
      {!error && isPending && <p className={styles.note}>Loading…</p>}
      {!isPending && jobs.length === 0 && !error && <p className={styles.note}>No jobs yet.</p>}
      <ul className={styles.list}>
        {jobs.map((job) => (
          <li key={job.id}>
            <button
              type="button"
              className={styles.row}
              data-testid="queue-item"
              data-status={job.status}
              aria-current={isSelected(selected, 'job', job.id) || undefined}
              onClick={() => select({ kind: 'job', id: job.id })}
            >
              <span className={styles.dot} data-status={job.status} title={STATUS_LABEL[job.status]} />
              <span className="visually-hidden">{STATUS_LABEL[job.status]}:</span>
              <span className={styles.prompt}>{jobTitle(job)}</span>
              <span className={styles.when}>
                {job.status === 'running' ? `${Math.round(job.progress.percent)}%` : formatShortTime(job.createdAt)}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {hasNextPage && (
        <button type="button" className={styles.more} onClick={() => void fetchNextPage()} disabled={isFetchingNextPage}>
          {isFetchingNextPage ? 'Loading…' : 'Older jobs'}
        </button>
      )}
    </section>
  );
}
