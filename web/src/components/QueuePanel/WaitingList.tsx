import { useLayoutEffect, useRef } from 'react';
import { JOB_PRIORITIES, type JobPriority, type QueueEntry } from '@orchestrator/shared';
import { errorMessage } from '../../api/client';
import { useAccess } from '../../hooks/useAuth';
import { useCancelJob, useMoveToFront, useSetJobPriority } from '../../hooks/useJobActions';
import { jobTitle } from '../../lib/jobState';
import { friendlyModel, isBlocked, jobModel, jobPriority, PRIORITY_LABEL, promptExcerpt } from '../../lib/queueLabels';
import { isSelected, useSelection } from '../../state/selection';
import { focusRowControl, onRowKeyDown } from './rowKeys';
import styles from './QueuePanel.module.css';

/** Where focus goes once the list re-renders after an action that moved or removed its row. */
interface FocusTarget {
  id?: string;
  index: number;
  control: string;
  at: number;
}
const FOCUS_WINDOW_MS = 5000;

function UpIcon() {
  return (
    <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
      <path d="M3 2.5h10M8 13.5V5.5M4.5 9 8 5.5 11.5 9" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

function CrossIcon() {
  return (
    <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
      <path d="M4 4l8 8M12 4l-8 8" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
    </svg>
  );
}

interface RowProps {
  entry: QueueEntry;
  index: number;
  onAction: (target: Omit<FocusTarget, 'at'>) => void;
  onOpenJob?: () => void;
}

function WaitingRow({ entry, index, onAction, onOpenJob }: RowProps) {
  const { job, place } = entry;
  const front = useMoveToFront();
  const priority = useSetJobPriority();
  const cancel = useCancelJob();
  const selected = useSelection((s) => isSelected(s.selected, 'job', job.id));
  const select = useSelection((s) => s.select);
  const level = jobPriority(job);
  const excerpt = promptExcerpt(job);
  const model = jobModel(job);
  const error = front.error ?? priority.error ?? cancel.error;
  // Buttons stay enabled while busy: disabling the focused one would drop keyboard focus.
  const busy = front.isPending || priority.isPending || cancel.isPending;
  // A viewer (team mode) may not change the queue: no controls, rather than controls that answer 403.
  const { canSubmit } = useAccess();

  return (
    <li
      className={styles.entry}
      data-row={job.id}
      data-testid="queue-entry"
      data-job={job.id}
      data-priority={level}
      data-reason={place.reason}
      aria-current={selected || undefined}
    >
      <span className={styles.position} aria-hidden="true">
        {index + 1}
      </span>
      <button
        type="button"
        className={styles.prompt}
        data-control="select"
        title={jobTitle(job)}
        onClick={() => {
          select({ kind: 'job', id: job.id });
          onOpenJob?.();
        }}
      >
        <span className="visually-hidden">{`${index + 1}. `}</span>
        {jobTitle(job)}
      </button>
      <p className={styles.info}>
        <span className={styles.source}>
          {job.provider}
          {model && (
            <>
              {' · '}
              <span title={model}>{friendlyModel(model)}</span>
            </>
          )}
          {' · '}
        </span>
        <span className={styles.reason} data-testid="queue-reason" data-blocked={isBlocked(place.reason)}>
          {place.message}
        </span>
      </p>
      {canSubmit && (
        <div className={styles.controls}>
          <select
            className={styles.priority}
            data-control="priority"
            data-priority={level}
            aria-label={`Priority of "${excerpt}"`}
            value={level}
            onChange={(e) => {
              onAction({ id: job.id, index, control: 'priority' });
              priority.mutate({ job, priority: e.target.value as JobPriority });
            }}
          >
            {JOB_PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {PRIORITY_LABEL[p]}
              </option>
            ))}
          </select>
          <button
            type="button"
            className={styles.action}
            data-control="front"
            aria-label={`Move "${excerpt}" to the front`}
            title="Start it before the other waiting jobs"
            aria-disabled={busy || undefined}
            onClick={() => {
              if (busy) return;
              onAction({ id: job.id, index, control: 'front' });
              front.mutate(job);
            }}
          >
            <UpIcon />
            Front
          </button>
          <button
            type="button"
            className={`${styles.action} ${styles.danger}`}
            data-control="cancel"
            aria-label={`Cancel "${excerpt}"`}
            aria-disabled={busy || undefined}
            onClick={() => {
              if (busy) return;
              // The next row takes this one's place; focus its prompt, not its Cancel (a second Enter would cancel it too).
              onAction({ index, control: 'select' });
              cancel.mutate(job);
            }}
          >
            <CrossIcon />
            Cancel
          </button>
        </div>
      )}
      {error && (
        <p className={styles.rowError} role="alert">
          {errorMessage(error)}
        </p>
      )}
    </li>
  );
}

/** The waiting jobs in start order, with move to front, priority and cancel on each. */
export function WaitingList({ items, onOpenJob }: { items: QueueEntry[]; onOpenJob?: () => void }) {
  const list = useRef<HTMLOListElement>(null);
  const pending = useRef<FocusTarget | null>(null);

  // An action can move its row (React may re-insert the focused node) or remove it: bring focus back.
  useLayoutEffect(() => {
    const target = pending.current;
    const el = list.current;
    if (!target || !el) return;
    if (Date.now() - target.at > FOCUS_WINDOW_MS) {
      pending.current = null;
      return;
    }
    const active = document.activeElement;
    if (active && active !== document.body && el.contains(active)) return;
    if (active && active !== document.body && !el.contains(active)) {
      pending.current = null; // the user has moved on
      return;
    }
    if (focusRowControl(el, target)) pending.current = null;
  }, [items]);

  return (
    <ol ref={list} role="list" className={styles.rows} aria-labelledby="queue-waiting-heading" onKeyDown={onRowKeyDown}>
      {items.map((entry, i) => (
        <WaitingRow key={entry.job.id} entry={entry} index={i} onAction={(t) => (pending.current = { ...t, at: Date.now() })} onOpenJob={onOpenJob} />
      ))}
    </ol>
  );
}
