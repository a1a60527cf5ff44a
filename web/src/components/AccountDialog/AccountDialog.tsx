import { useEffect, useId, type ReactNode } from 'react';
import { useModalDialog } from '../../hooks/useModalDialog';
import styles from './AccountDialog.module.css';

interface Props {
  title: string;
  testId: string;
  onClose: () => void;
  children: ReactNode;
}

/** The modal frame of the API tokens and users panels: a title, a close button (or Esc), a scrolling body; full screen when narrow. */
export function AccountDialog({ title, testId, onClose, children }: Props) {
  const { ref, onCancel } = useModalDialog(onClose);
  const id = useId();
  // A field's autoFocus runs before the dialog is open (and is lost); once open, focus the one marked.
  useEffect(() => {
    ref.current?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
  }, [ref]);
  return (
    <dialog ref={ref} className={styles.dialog} aria-labelledby={id} onCancel={onCancel} data-testid={testId}>
      <div className={styles.head}>
        <h2 id={id} className={styles.title}>
          {title}
        </h2>
        <button type="button" className={styles.close} onClick={onClose} aria-label={`Close ${title}`} title="Close (Esc)">
          ×
        </button>
      </div>
      <div className={styles.body}>{children}</div>
    </dialog>
  );
}
