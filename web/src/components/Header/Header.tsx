import { useHealth } from '../../hooks/useHealth';
import { ConnectionStatus } from '../ConnectionStatus/ConnectionStatus';
import { UserMenu } from '../UserMenu/UserMenu';
import styles from './Header.module.css';

/** Problems the health report shows that would stop jobs from running, in a word or two. */
function HealthNote() {
  const { data } = useHealth();
  if (!data) return null;
  const problems: string[] = [];
  if (!data.redis.ok) problems.push('Redis unreachable');
  if (data.workers.live === 0) problems.push('No worker running — jobs will wait');
  if (problems.length === 0) {
    return (
      <span className={styles.health} title={`Redis ${data.redis.latencyMs ?? '?'} ms`}>
        {data.workers.live} {data.workers.live === 1 ? 'worker' : 'workers'}
      </span>
    );
  }
  return (
    <span className={styles.health} data-problem="true" role="status">
      {problems.join(' · ')}
    </span>
  );
}

export function Header() {
  return (
    <header className={styles.header}>
      <h1 className={styles.brand}>
        <span className={styles.logo} aria-hidden="true" />
        Orchestrator
      </h1>
      <div className={styles.right}>
        <HealthNote />
        <ConnectionStatus />
        <UserMenu />
      </div>
    </header>
  );
}
