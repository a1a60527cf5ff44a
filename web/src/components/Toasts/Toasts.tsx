import { useToasts } from '../../state/toasts';
import styles from './Toasts.module.css';

/** Notifications for things that happen without the user asking (a job failing in the background). */
export function Toasts() {
  const toasts = useToasts((s) => s.toasts);
  const dismiss = useToasts((s) => s.dismiss);
  return (
    <section className={styles.region} aria-label="Notifications" aria-live="polite" data-testid="toasts">
      {toasts.map((t) => (
        <div key={t.id} className={styles.toast} data-tone={t.tone} role={t.tone === 'error' ? 'alert' : 'status'}>
          <span className={styles.message}>{t.message}</span>
          <button type="button" className={styles.close} aria-label="Dismiss notification" onClick={() => dismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </section>
  );
}
