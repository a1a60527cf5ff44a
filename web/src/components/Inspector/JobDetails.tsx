import type { Job } from '@orchestrator/shared';
import { errorMessage } from '../../api/client';
import { usePreview } from '../../hooks/useJobs';
import { useWorkflowList } from '../../hooks/useWorkflows';
import { useCancelJob, useRetryJob } from '../../hooks/useJobActions';
import { useQueuePlace } from '../../hooks/useQueue';
import { formatDateTime, progressLabel, STATUS_LABEL } from '../../lib/format';
import { generationParams, isActive } from '../../lib/jobState';
import { jobPriority, PRIORITY_LABEL } from '../../lib/queueLabels';
import { applySettings } from '../../lib/applySettings';
import { planFromRequest } from '../../lib/reuseSettings';
import { useSelection } from '../../state/selection';
import { ProgressBar } from '../ProgressBar/ProgressBar';
import { DetailList } from './DetailList';
import { LoraList, lorasText } from './LoraList';
import styles from './Inspector.module.css';

/** A saved workflow's name (its id while the list loads, or once the workflow is gone). */
function WorkflowName({ id }: { id: string }) {
  const name = useWorkflowList().data?.find((w) => w.id === id)?.name;
  return name ? (
    <>
      {name} <span className={styles.faint}>({id})</span>
    </>
  ) : (
    <>{id}</>
  );
}

export function JobDetails({ job }: { job: Job }) {
  const select = useSelection((s) => s.select);
  const preview = usePreview(job.id);
  const place = useQueuePlace(job);
  const cancel = useCancelJob();
  const retry = useRetryJob();
  const r = job.request;
  const p = generationParams(r);
  const actionError = cancel.error ?? retry.error;
  const retryOf = job.retryOf;
  const workflowId = r.provider === 'comfyui' && r.workflow && r.workflow !== 'txt2img' ? r.workflow : undefined;
  const loras = p.loras ?? [];

  return (
    <>
      {preview && (
        <div className={styles.media}>
          <img src={preview} alt="Live preview" />
        </div>
      )}
      <div className={styles.status} data-status={job.status}>
        {STATUS_LABEL[job.status]}
        {isActive(job) && <span className={styles.statusInfo}>{place?.message ?? progressLabel(job)}</span>}
      </div>
      {isActive(job) && <ProgressBar percent={job.progress.percent} indeterminate={job.status === 'queued'} label="Job progress" testId="inspector-progress" />}
      {job.error && (
        <p className={styles.error}>
          {job.error.message}
          <span className={styles.errorCode}>{job.error.code}</span>
        </p>
      )}
      {actionError && (
        <p className={styles.error} role="alert">
          {errorMessage(actionError)}
        </p>
      )}
      <div className={styles.actions}>
        {isActive(job) && (
          <button type="button" className={styles.button} onClick={() => cancel.mutate(job)} disabled={cancel.isPending}>
            Cancel job
          </button>
        )}
        {(job.status === 'failed' || job.status === 'cancelled') && (
          <button type="button" className={styles.button} onClick={() => retry.mutate(job)} disabled={retry.isPending}>
            Retry
          </button>
        )}
        <button
          type="button"
          className={styles.button}
          data-testid="job-use-settings"
          onClick={() => applySettings(planFromRequest(r))}
        >
          Use these settings
        </button>
      </div>
      {job.assets && job.assets.length > 0 && (
        <ul className={styles.outputs} aria-label="Outputs">
          {job.assets.map((a) => (
            <li key={a.id}>
              <button type="button" className={styles.output} onClick={() => select({ kind: 'asset', id: a.id })} aria-label="Show output">
                <img src={a.thumbUrl} alt="" loading="lazy" />
              </button>
            </li>
          ))}
        </ul>
      )}
      <DetailList
        details={[
          { label: 'Job id', value: job.id, mono: true },
          { label: 'Created', value: formatDateTime(job.createdAt) },
          { label: 'Started', value: job.startedAt && formatDateTime(job.startedAt) },
          { label: 'Finished', value: job.finishedAt && formatDateTime(job.finishedAt) },
          { label: 'Provider', value: `${job.provider} · ${job.kind}` },
          { label: 'Backend', value: job.backend },
          { label: 'Priority', value: job.request.priority !== undefined || job.status === 'queued' ? PRIORITY_LABEL[jobPriority(job)] : undefined },
          { label: 'Model', value: r.model ?? 'server default', mono: true },
          { label: 'Workflow', value: workflowId, display: workflowId ? <WorkflowName id={workflowId} /> : undefined },
          { label: 'LoRAs', value: lorasText(loras), mono: true, long: true, display: loras.length > 0 ? <LoraList loras={loras} /> : undefined },
          { label: 'Prompt', value: r.prompt, long: true },
          { label: 'Negative prompt', value: p.negativePrompt, long: true },
          { label: 'Seed', value: p.seed, mono: true },
          { label: 'Steps', value: p.steps },
          { label: 'CFG', value: p.cfg },
          { label: 'Sampler', value: p.sampler, mono: true },
          { label: 'Scheduler', value: p.scheduler, mono: true },
          { label: 'Size', value: p.width && p.height ? `${p.width}×${p.height}` : undefined },
          { label: 'Batch size', value: p.batchSize },
          {
            label: 'Retry of',
            value: retryOf,
            mono: true,
            display: retryOf ? (
              <button type="button" className={styles.link} onClick={() => select({ kind: 'job', id: retryOf })}>
                {retryOf}
              </button>
            ) : undefined,
          },
        ]}
      />
    </>
  );
}
