import { useQueueTotal } from '../../hooks/useQueue';
import { useLayout } from '../../state/layout';
import styles from './Canvas.module.css';

export const QUEUE_TOGGLE_ID = 'queue-toggle';
export const QUEUE_ASIDE_ID = 'queue-side-panel';

interface Props {
  /** Jobs in the loaded list that are queued: the count shown until the queue view has its total. */
  queued: number;
  /** The phone layout shows the queue as a tab of its own: the button goes there. */
  narrow: boolean;
}

/** "Queue 3": opens the queue panel beside the gallery (desktop) or switches to its tab (phone). */
export function QueueToggle({ queued, narrow }: Props) {
  const open = useLayout((s) => s.queueOpen);
  const setOpen = useLayout((s) => s.setQueueOpen);
  const setTab = useLayout((s) => s.setMobileTab);
  const showing = open && !narrow;
  const total = useQueueTotal(queued > 0 || showing);
  const count = queued > 0 || showing ? (total ?? queued) : 0;
  return (
    <button
      type="button"
      id={QUEUE_TOGGLE_ID}
      className={styles.queueToggle}
      data-testid="queue-toggle"
      aria-expanded={narrow ? undefined : open}
      aria-controls={showing ? QUEUE_ASIDE_ID : undefined}
      onClick={() => (narrow ? setTab('queue') : setOpen(!open))}
    >
      Queue
      {count > 0 && (
        <span className={styles.queueCount}>
          <span className="visually-hidden">, </span>
          {count}
          <span className="visually-hidden"> waiting</span>
        </span>
      )}
    </button>
  );
}
