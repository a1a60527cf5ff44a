import type { Job } from '@orchestrator/shared';
import { useLayout } from '../../state/layout';
import { JobCard } from '../JobCard/JobCard';
import styles from './JobTray.module.css';

const TRAY_ID = 'job-tray-cards';

function summary(jobs: readonly Job[]): string {
  const count = (status: Job['status']) => jobs.filter((j) => j.status === status).length;
  const parts = [
    [count('running'), 'running'],
    [count('queued'), 'queued'],
    [count('failed'), 'failed'],
  ] as const;
  return parts
    .filter(([n]) => n > 0)
    .map(([n, what]) => `${n} ${what}`)
    .join(' · ');
}

/**
 * The jobs in progress, in a tray over the bottom of the gallery: it comes and goes with the jobs
 * without moving the toolbar or the grid (a strip above them pushed both down by a card's height and
 * back), and folds to its bar. Cards sit in one row of fixed height that scrolls sideways.
 */
export function JobTray({ jobs }: { jobs: readonly Job[] }) {
  const open = useLayout((s) => s.jobTrayOpen);
  const setOpen = useLayout((s) => s.setJobTrayOpen);
  if (jobs.length === 0) return null;
  return (
    <section className={styles.tray} data-testid="job-tray" data-open={open || undefined} aria-label="Jobs in progress">
      <div className={styles.bar}>
        <button type="button" className={styles.toggle} data-testid="job-tray-toggle" aria-expanded={open} aria-controls={open ? TRAY_ID : undefined} onClick={() => setOpen(!open)}>
          <span className={styles.chevron} aria-hidden="true" />
          Jobs
          <span className={styles.summary}>{summary(jobs)}</span>
        </button>
      </div>
      {open && (
        <ul id={TRAY_ID} className={styles.cards}>
          {jobs.map((job) => (
            <li key={job.id} className={styles.slot}>
              <JobCard job={job} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
