import styles from './ProgressBar.module.css';

interface Props {
  percent: number;
  label: string;
  /** Indeterminate stripes while nothing is known yet (queued). */
  indeterminate?: boolean;
  tone?: 'accent' | 'danger';
  testId?: string;
}

export function ProgressBar({ percent, label, indeterminate = false, tone = 'accent', testId = 'job-progress' }: Props) {
  const value = Math.max(0, Math.min(100, Math.round(percent)));
  return (
    <div
      className={styles.track}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={value}
      data-testid={testId}
      data-indeterminate={indeterminate || undefined}
      data-tone={tone}
    >
      <div className={styles.fill} style={{ width: `${indeterminate ? 100 : value}%` }} />
    </div>
  );
}
