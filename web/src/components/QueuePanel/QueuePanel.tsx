import { errorMessage } from '../../api/client';
import { useAgents } from '../../hooks/useAgents';
import { useQueue } from '../../hooks/useQueue';
import { BackendRow, ProviderRow } from './AgentRows';
import { onRowKeyDown } from './rowKeys';
import { WaitingList } from './WaitingList';
import styles from './QueuePanel.module.css';

interface Props {
  /** Shown as a close button (the desktop side panel); the phone layout has a tab instead. */
  onClose?: () => void;
  /** After a job was chosen (the phone layout then shows the Inspector). */
  onOpenJob?: () => void;
}

/**
 * The queue: every provider and ComfyUI backend with its switch, and the waiting jobs in the order
 * they will start, each with why it waits. Loaded on first open (a lazy chunk).
 */
export function QueuePanel({ onClose, onOpenJob }: Props) {
  const agents = useAgents();
  const queue = useQueue();
  const providers = agents.data?.agents.filter((a) => a.kind === 'provider') ?? [];
  const backends = agents.data?.agents.filter((a) => a.kind === 'backend') ?? [];
  const items = queue.data?.items ?? [];
  const total = queue.data?.total;
  const more = total !== undefined ? total - items.length : 0;

  return (
    <section className={styles.panel} data-testid="queue-panel" aria-labelledby="queue-panel-heading">
      <header className={styles.header}>
        <h2 id="queue-panel-heading" className={styles.heading}>
          Queue
        </h2>
        {total !== undefined && <span className={styles.summary}>{total === 0 ? 'nothing waiting' : `${total} waiting`}</span>}
        {onClose && (
          <button type="button" className={styles.close} onClick={onClose} aria-label="Close the queue panel" title="Close (Esc)">
            ×
          </button>
        )}
      </header>
      <div className={styles.body}>
        <section aria-labelledby="queue-agents-heading" onKeyDown={onRowKeyDown}>
          <h3 id="queue-agents-heading" className={styles.sectionHeading}>
            Agents
          </h3>
          {agents.error && (
            <p className={styles.error} role="alert">
              Cannot load agents: {errorMessage(agents.error)}
            </p>
          )}
          {agents.isPending && !agents.error && <p className={styles.note}>Loading…</p>}
          {providers.length > 0 && (
            <ul className={styles.rows} aria-label="Providers">
              {providers.map((a) => (
                <ProviderRow key={a.name} agent={a} />
              ))}
            </ul>
          )}
          {backends.length > 0 && (
            <>
              <h4 className={styles.subHeading}>ComfyUI backends</h4>
              <ul className={styles.rows} aria-label="ComfyUI backends">
                {backends.map((a) => (
                  <BackendRow key={a.name} agent={a} onOpenJob={onOpenJob} />
                ))}
              </ul>
            </>
          )}
        </section>
        <section aria-labelledby="queue-waiting-heading">
          <h3 id="queue-waiting-heading" className={styles.sectionHeading}>
            Waiting
            <span className={styles.sectionHint}>in start order</span>
          </h3>
          {queue.error && (
            <p className={styles.error} role="alert">
              Cannot load the queue: {errorMessage(queue.error)}
            </p>
          )}
          {queue.isPending && !queue.error && <p className={styles.note}>Loading…</p>}
          {queue.data && items.length === 0 && <p className={styles.note}>No job is waiting.</p>}
          {items.length > 0 && <WaitingList items={items} onOpenJob={onOpenJob} />}
          {more > 0 && <p className={styles.note}>and {more} more</p>}
        </section>
      </div>
    </section>
  );
}

export default QueuePanel;
