import { JOB_PRIORITIES, type JobPriority } from '@orchestrator/shared';
import { PRIORITY_LABEL } from '../../lib/queueLabels';
import { useSubmitPriority } from '../../state/submitPriority';
import styles from './PrioritySelect.module.css';

/** The priority of the jobs a form submits (high, normal, low), beside its submit button. */
export function PrioritySelect() {
  const priority = useSubmitPriority((s) => s.priority);
  const setPriority = useSubmitPriority((s) => s.setPriority);
  return (
    <select
      className={styles.select}
      data-testid="submit-priority"
      data-priority={priority}
      aria-label="Priority of the new job"
      title="Priority of the new job: high starts before normal, normal before low"
      value={priority}
      onChange={(e) => setPriority(e.target.value as JobPriority)}
    >
      {JOB_PRIORITIES.map((p) => (
        <option key={p} value={p}>
          {PRIORITY_LABEL[p]}
        </option>
      ))}
    </select>
  );
}
