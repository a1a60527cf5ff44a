import type { WorkflowProblem } from '../../lib/workflowProblems';
import styles from '../GenerateForm/GenerateForm.module.css';

/** What a backend's /object_info says is wrong with a graph: one line per node and input. */
export function WorkflowProblems({ problems, title = 'The workflow does not fit the backend:' }: { problems: readonly WorkflowProblem[]; title?: string }) {
  return (
    <div className={styles.error} role="alert" data-testid="workflow-problems">
      {title}
      {problems.map((p) => (
        <div key={`${p.nodeId}/${p.input ?? ''}/${p.message}`} className={styles.errorDetail}>
          Node {p.nodeId}
          {p.classType ? ` (${p.classType})` : ''}
          {p.input ? `, input ${p.input}` : ''}: {p.message}
        </div>
      ))}
    </div>
  );
}
