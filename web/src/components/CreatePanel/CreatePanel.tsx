import { BackendBadges } from '../BackendBadges/BackendBadges';
import { GenerateForm } from '../GenerateForm/GenerateForm';
import { JobQueue } from '../JobQueue/JobQueue';
import styles from './CreatePanel.module.css';

/**
 * The left sidebar. It holds the generation form and the job list for now; the chat (with slash
 * commands) will take over this panel, with the form as one of its tools.
 */
export function CreatePanel() {
  return (
    <section className={styles.panel} aria-labelledby="create-heading">
      <header className={styles.header}>
        <h2 id="create-heading" className={styles.heading}>
          Create
        </h2>
      </header>
      <div className={styles.body}>
        <BackendBadges />
        <GenerateForm />
        <hr className={styles.rule} />
        <JobQueue />
      </div>
    </section>
  );
}
