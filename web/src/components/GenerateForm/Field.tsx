import type { ReactNode } from 'react';
import styles from './GenerateForm.module.css';

interface Props {
  id: string;
  label: string;
  error?: string;
  hint?: ReactNode;
  /** A control beside the label (not inside it), e.g. the prompt history button. */
  aside?: ReactNode;
  children: ReactNode;
  className?: string;
}

/** A label above its control, with the field's error (if any) below and tied to it by id. */
export function Field({ id, label, error, hint, aside, children, className }: Props) {
  const labelEl = (
    <label htmlFor={id} className={styles.label}>
      {label}
      {hint && <span className={styles.hint}>{hint}</span>}
    </label>
  );
  return (
    <div className={`${styles.field} ${className ?? ''}`}>
      {aside ? (
        <div className={styles.labelRow}>
          {labelEl}
          {aside}
        </div>
      ) : (
        labelEl
      )}
      {children}
      {error && (
        <span id={`${id}-error`} className={styles.fieldError}>
          {error}
        </span>
      )}
    </div>
  );
}

/** Props that tie a control to its Field's error message. */
export function invalidProps(id: string, error: string | undefined) {
  return error ? { 'aria-invalid': true as const, 'aria-describedby': `${id}-error` } : {};
}
