import { useEffect, useState } from 'react';
import { copyText } from '../../lib/clipboard';
import styles from './CopyButton.module.css';

interface Props {
  value: string;
  /** What is copied, for the accessible name: "Copy seed". */
  label: string;
}

export function CopyButton({ value, label }: Props) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = setTimeout(() => setState('idle'), 1500);
    return () => clearTimeout(t);
  }, [state]);
  return (
    <button
      type="button"
      className={styles.button}
      data-state={state}
      aria-label={`Copy ${label}`}
      title={`Copy ${label}`}
      onClick={() => void copyText(value).then((ok) => setState(ok ? 'copied' : 'failed'))}
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Failed' : 'Copy'}
      <span className="visually-hidden" aria-live="polite">
        {state === 'copied' ? `${label} copied` : ''}
      </span>
    </button>
  );
}
