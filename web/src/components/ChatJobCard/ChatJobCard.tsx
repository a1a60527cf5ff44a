import type { AssetRef, Job } from '@orchestrator/shared';
import { errorMessage } from '../../api/client';
import { useJob, usePreview } from '../../hooks/useJobs';
import { useCancelJob } from '../../hooks/useJobActions';
import { useQueuePlace } from '../../hooks/useQueue';
import { progressLabel, STATUS_LABEL } from '../../lib/format';
import { isActive } from '../../lib/jobState';
import { isBlocked } from '../../lib/queueLabels';
import { useChat } from '../../state/chat';
import { useLayout } from '../../state/layout';
import { useSelection } from '../../state/selection';
import { useSiteStudio } from '../../state/siteStudio';
import { ProgressBar } from '../ProgressBar/ProgressBar';
import styles from './ChatJobCard.module.css';

interface Props {
  jobId: string;
  /** The job's number in the thread (#n). */
  n: number;
  /** Sends a command to the thread (retry, variations go through the chat, so their jobs land in it). */
  onCommand: ((text: string) => void) | null;
}

/** Results open in the inspector (on a phone: its tab). */
function useOpenAsset() {
  const select = useSelection((s) => s.select);
  return (asset: AssetRef) => {
    select({ kind: 'asset', id: asset.id });
    useLayout.getState().setMobileTab('inspector');
  };
}

function Results({ job }: { job: Job }) {
  const open = useOpenAsset();
  const assets = job.assets ?? [];
  if (assets.length === 0) return <p className={styles.note}>Finished without outputs.</p>;
  return (
    <div className={styles.results} data-count={Math.min(assets.length, 4)}>
      {assets.map((a) => (
        <button key={a.id} type="button" className={styles.result} onClick={() => open(a)} title="Open in the inspector" data-testid="chat-result">
          <img src={a.thumbUrl} alt={`${a.type} ${job.request.prompt ?? ''}`.trim()} loading="lazy" className={styles.resultImage} />
          {a.type !== 'image' && <span className={styles.badge}>{a.type === 'video' ? '▶ video' : 'site'}</span>}
        </button>
      ))}
    </div>
  );
}

/**
 * A job in the thread, followed live through its events: queued (with why it waits) → progress and
 * preview → the results (click: inspector). Cancel acts at once; Retry and Variations are sent as
 * /retry n and /vary n, so the new job shows up in the thread; "Use as input" attaches a result to the
 * next message.
 */
export function ChatJobCard({ jobId, n, onCommand }: Props) {
  const { data: job, error } = useJob(jobId);
  const preview = usePreview(jobId);
  const cancel = useCancelJob();
  const attach = useChat((s) => s.attach);
  const openStudio = useSiteStudio((s) => s.open);
  const place = useQueuePlace(job ?? ({ id: jobId, status: 'completed' } as Job));

  if (!job) {
    return (
      <article className={styles.card} data-testid="chat-job-card" data-status="loading" aria-label={`Job #${n}`}>
        <div className={styles.top}>
          <span className={styles.number}>#{n}</span>
          <span className={styles.status}>{error ? 'Not found' : 'Loading…'}</span>
        </div>
      </article>
    );
  }

  const active = isActive(job);
  const cancelling = active && cancel.data?.cancelRequested === true;
  const firstImage = job.assets?.find((a) => a.type === 'image');
  const site = job.status === 'completed' ? job.assets?.find((a) => a.type === 'site') : undefined;
  const canVary = job.status === 'completed' && job.provider !== 'v0';

  return (
    <article className={styles.card} data-testid="chat-job-card" data-status={job.status} data-job-id={job.id} aria-label={`Job #${n}: ${STATUS_LABEL[job.status]}`}>
      <div className={styles.top}>
        <span className={styles.number}>#{n}</span>
        <span className={styles.status} data-status={job.status}>
          {cancelling ? 'Cancelling…' : STATUS_LABEL[job.status]}
        </span>
        {job.backend && <span className={styles.meta}>{job.backend}</span>}
      </div>
      {active && (
        <>
          {preview && <img src={preview} alt="Live preview" className={styles.preview} data-testid="chat-job-preview" />}
          <ProgressBar percent={job.progress.percent} indeterminate={job.status === 'queued'} label={`Progress of job #${n}`} />
          {place ? (
            <span className={styles.progressText} data-testid="chat-wait-reason" data-blocked={isBlocked(place.reason)} title={place.message}>
              {place.message}
            </span>
          ) : (
            <span className={styles.progressText}>{progressLabel(job)}</span>
          )}
        </>
      )}
      {job.status === 'completed' && <Results job={job} />}
      {job.status === 'failed' && <p className={styles.error}>{job.error?.message ?? 'The job failed.'}</p>}
      {cancel.error && (
        <p className={styles.error} role="alert">
          {errorMessage(cancel.error)}
        </p>
      )}
      <div className={styles.actions}>
        {active && (
          <button type="button" className={styles.button} data-testid="chat-cancel" disabled={cancel.isPending || cancelling} onClick={() => cancel.mutate(job)}>
            Cancel
          </button>
        )}
        {onCommand && (job.status === 'failed' || job.status === 'cancelled') && (
          <button type="button" className={`${styles.button} ${styles.primary}`} data-testid="chat-retry" onClick={() => onCommand(`/retry ${n}`)}>
            Retry
          </button>
        )}
        {onCommand && canVary && (
          <button type="button" className={styles.button} data-testid="chat-vary" title="The same settings with a new seed" onClick={() => onCommand(`/vary ${n}`)}>
            Variations
          </button>
        )}
        {site && (
          <button
            type="button"
            className={`${styles.button} ${styles.primary}`}
            data-testid="chat-open-studio"
            title="Open this site big: live preview, design mode, versions, deploy"
            onClick={() => openStudio(site.id)}
          >
            Open in studio
          </button>
        )}
        {firstImage && (
          <button
            type="button"
            className={styles.button}
            data-testid="chat-use-input"
            title="Attach this image to the next message (/video, FLUX kontext or image prompt)"
            onClick={() => attach({ id: firstImage.id, url: firstImage.thumbUrl, label: `#${n} result` })}
          >
            Use as input
          </button>
        )}
      </div>
    </article>
  );
}
