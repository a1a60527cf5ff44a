import { useEffect, useRef } from 'react';
import { useConfirm } from '../../state/confirm';
import styles from './ConfirmDialog.module.css';

/** The app's one confirmation dialog (a modal <dialog>), driven by confirmAction(). */
export function ConfirmDialog() {
  const request = useConfirm((s) => s.request);
  const answer = useConfirm((s) => s.answer);
  const ref = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog || !request) return;
    const previous = document.activeElement as HTMLElement | null;
    if (!dialog.open) dialog.showModal();
    // A destructive action starts on Cancel, so a stray Enter does no harm.
    dialog.querySelector<HTMLElement>(request.tone === 'danger' ? '[data-role="cancel"]' : '[data-role="ok"]')?.focus();
    return () => {
      if (dialog.open) dialog.close();
      if (previous?.isConnected) previous.focus({ preventScroll: true });
    };
  }, [request]);

  if (!request) return null;
  return (
    <dialog
      ref={ref}
      className={styles.dialog}
      data-testid="confirm-dialog"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-message"
      onCancel={(e) => {
        e.preventDefault();
        answer(false);
      }}
    >
      <h2 id="confirm-title" className={styles.title}>
        {request.title}
      </h2>
      <p id="confirm-message" className={styles.message}>
        {request.message}
      </p>
      <div className={styles.actions}>
        <button type="button" className={styles.button} data-role="cancel" data-testid="confirm-cancel" onClick={() => answer(false)}>
          Cancel
        </button>
        <button
          type="button"
          className={styles.button}
          data-role="ok"
          data-tone={request.tone ?? 'default'}
          data-testid="confirm-ok"
          onClick={() => answer(true)}
        >
          {request.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
