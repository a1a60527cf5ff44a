import { MAX_JOB_COUNT } from '../../lib/jobCount';
import styles from './JobCount.module.css';

interface Props {
  id: string;
  value: string;
  onChange: (value: string) => void;
  invalid?: boolean;
}

/** "[ 4 ] jobs" beside Generate: one press queues that many jobs, each with its own seed. */
export function JobCount({ id, value, onChange, invalid }: Props) {
  return (
    <label
      className={styles.count}
      htmlFor={id}
      title={`Jobs to queue with one press (1–${MAX_JOB_COUNT}), each with its own seed: a random one each, or the fixed seed counting up. Batch size makes several images within one job.`}
    >
      <input
        id={id}
        type="number"
        inputMode="numeric"
        className={styles.input}
        data-testid="job-count"
        min={1}
        max={MAX_JOB_COUNT}
        step={1}
        value={value}
        aria-invalid={invalid || undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      <span className={styles.unit}>{value.trim() === '1' ? 'job' : 'jobs'}</span>
    </label>
  );
}
