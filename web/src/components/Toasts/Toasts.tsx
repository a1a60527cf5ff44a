import { useToasts } from '../../state/toasts';
import styles from './Toasts.module.css';

/** Notifications: things that happen in the background, and results of actions (with Undo where possible). */
export function Toasts() {
  const toasts = useToasts((s) => s.toasts);
  const dismiss = useToasts((s) => s.dismiss);
  return (
    <section className={styles.region} aria-label="Notifications" aria-live="polite" data-testid="toasts">
      {toasts.map((t) => (
        <div key={t.id} className={styles.toast} data-tone={t.tone} role={t.tone === 'error' ? 'alert' : 'status'}>
          <span className={styles.message}>{t.message}</span>
          {t.action && (
            <button
              type="button"
              className={styles.action}
              data-testid="toast-action"
              onClick={() => {
                dismiss(t.id);
                t.action!.run();
              }}
            >
              {t.action.label}
            </button>
          )}
          <button type="button" className={styles.close} aria-label="Dismiss notification" onClick={() => dismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </section>
  );
}
