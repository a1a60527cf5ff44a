import { reconnectEvents } from '../../events/useEventChannel';
import { useConnection } from '../../state/connection';
import styles from './ConnectionStatus.module.css';

const LABEL = { open: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…' } as const;
const DESCRIPTION = {
  open: 'Live updates connected',
  connecting: 'Connecting to live updates',
  reconnecting: 'Live updates disconnected; retrying with backoff. Click to retry now.',
} as const;

/** The event channel's state: a dot and a word; click to retry at once while disconnected. */
export function ConnectionStatus() {
  const status = useConnection((s) => s.status);
  return (
    <button
      type="button"
      className={styles.status}
      data-testid="connection-status"
      data-state={status}
      title={DESCRIPTION[status]}
      aria-label={DESCRIPTION[status]}
      onClick={status === 'reconnecting' ? reconnectEvents : undefined}
      aria-disabled={status !== 'reconnecting'}
    >
      <span className={styles.dot} aria-hidden="true" />
      <span className={styles.label}>{LABEL[status]}</span>
    </button>
  );
}
