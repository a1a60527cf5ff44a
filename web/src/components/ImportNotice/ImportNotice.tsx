import { useImportNotice } from '../../state/importNotice';
import styles from './ImportNotice.module.css';

/** Where the form's settings just came from, and what of them could not be used; until dismissed. */
export function ImportNotice() {
  const notice = useImportNotice((s) => s.notice);
  const dismiss = useImportNotice((s) => s.dismiss);
  if (!notice) return null;
  return (
    <div className={styles.notice} role="status" data-testid="import-notice" data-unmapped={notice.notes.length}>
      <div className={styles.head}>
        <p className={styles.title}>{notice.title}</p>
        <button type="button" className={styles.close} aria-label="Dismiss" onClick={dismiss}>
          ×
        </button>
      </div>
      {notice.notes.length > 0 && (
        <>
          <p className={styles.lead}>Not carried over:</p>
          <ul className={styles.notes} data-testid="import-unmapped">
            {notice.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
