import type { ReactNode } from 'react';
import { errorMessage } from '../../api/client';
import { useAccess, VIEW_ONLY } from '../../hooks/useAuth';
import formStyles from '../GenerateForm/GenerateForm.module.css';
import { PrioritySelect } from '../PrioritySelect/PrioritySelect';

interface Props {
  /** What the form found wrong itself; shown before the request's error. */
  problem: string | null;
  /** The failed submit, if any. */
  error: unknown;
  label: string;
  /** While a submit is on its way: the button's label (and it is disabled); null when idle. */
  busy: string | null;
  /** Right after the submit button (the "N jobs" field). */
  count?: ReactNode;
  /** More buttons beside the submit one. */
  children?: ReactNode;
}

/** The end of a generation form: its error line, then the submit button, the new job's priority (and any other buttons). */
export function SubmitRow({ problem, error, label, busy, count, children }: Props) {
  const { canSubmit } = useAccess();
  return (
    <>
      {!canSubmit && (
        <div className={formStyles.error} role="note">
          {VIEW_ONLY}
        </div>
      )}
      {(problem || error) && (
        <div className={formStyles.error} role="alert">
          {problem ?? errorMessage(error)}
        </div>
      )}
      <div className={formStyles.actions}>
        <button type="submit" className={formStyles.generate} data-testid="generate-button" disabled={busy !== null || !canSubmit}>
          {busy ?? label}
        </button>
        {count}
        <PrioritySelect />
        {children}
      </div>
    </>
  );
}
