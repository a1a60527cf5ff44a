import type { Job } from '@orchestrator/shared';
import { errorMessage } from '../../api/client';
import { usePreview } from '../../hooks/useJobs';
import { useCancelJob, useRetryJob } from '../../hooks/useJobActions';
import { useQueuePlace } from '../../hooks/useQueue';
import { progressLabel, STATUS_LABEL } from '../../lib/format';
import { generationParams, isActive, jobTitle } from '../../lib/jobState';
import { isBlocked } from '../../lib/queueLabels';
import { isSelected, useSelection } from '../../state/selection';
import { useLayout } from '../../state/layout';
import { ProgressBar } from '../ProgressBar/ProgressBar';
import styles from './JobCard.module.css';

/** A queued, running or failed job on the canvas: live progress and preview, Cancel or Retry. */
export function JobCard({ job }: { job: Job }) {
  const preview = usePreview(job.id);
  const place = useQueuePlace(job);
  const cancel = useCancelJob();
  const retry = useRetryJob();
  const selected = useSelection((s) => isSelected(s.selected, 'job', job.id));
  const select = useSelection((s) => s.select);
  const dismiss = useLayout((s) => s.dismissJob);
  const active = isActive(job);
  const cancelling = active && cancel.data?.cancelRequested === true;
  const params = generationParams(job.request);
  const actionError = cancel.error ?? retry.error;

  return (
    <article className={styles.card} data-testid="job-card" data-status={job.status} data-selected={selected} aria-label={`${STATUS_LABEL[job.status]} job`}>
      <div className={styles.thumb} style={params?.width && params.height ? { aspectRatio: `${params.width} / ${params.height}` } : undefined}>
        {preview ? (
          <img src={preview} alt="Live preview" className={styles.preview} data-testid="job-preview" />
        ) : (
          <span className={styles.placeholder} aria-hidden="true">
            {job.status === 'failed' ? '!' : ''}
          </span>
        )}
      </div>
      <div className={styles.body}>
        <div className={styles.top}>
          <span className={styles.status} data-status={job.status}>
            {cancelling ? 'Cancelling…' : STATUS_LABEL[job.status]}
          </span>
          {job.backend && <span className={styles.meta}>{job.backend}</span>}
        </div>
        <button type="button" className={styles.title} onClick={() => select({ kind: 'job', id: job.id })} title={jobTitle(job)}>
          {jobTitle(job)}
        </button>
        {active && (
          <>
            <ProgressBar percent={job.progress.percent} indeterminate={job.status === 'queued'} label={`Progress of job ${job.id}`} />
            {place ? (
              <span className={styles.progressText} data-testid="job-wait-reason" data-blocked={isBlocked(place.reason)} title={place.message}>
                {place.message}
              </span>
            ) : (
              <span className={styles.progressText}>{progressLabel(job)}</span>
            )}
          </>
        )}
        {job.status === 'failed' && <p className={styles.error}>{job.error?.message ?? 'The job failed.'}</p>}
        {actionError && (
          <p className={styles.error} role="alert">
            {errorMessage(actionError)}
          </p>
        )}
        <div className={styles.actions}>
          {active && (
            <button type="button" className={styles.button} data-testid="cancel-button" disabled={cancel.isPending || cancelling} onClick={() => cancel.mutate(job)}>
              {cancel.isPending ? 'Cancelling…' : 'Cancel'}
            </button>
          )}
          {job.status === 'failed' && (
            <>
              <button type="button" className={`${styles.button} ${styles.primary}`} data-testid="retry-button" disabled={retry.isPending} onClick={() => retry.mutate(job)}>
                {retry.isPending ? 'Retrying…' : 'Retry'}
              </button>
              <button type="button" className={styles.button} onClick={() => dismiss(job.id)}>
                Dismiss
              </button>
            </>
          )}
        </div>
      </div>
    </article>
  );
}
