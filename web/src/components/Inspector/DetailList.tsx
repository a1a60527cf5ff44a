import type { ReactNode } from 'react';
import { CopyButton } from '../CopyButton/CopyButton';
import styles from './Inspector.module.css';

export interface Detail {
  label: string;
  /** Text shown and copied; rows with no value are left out. */
  value: string | number | undefined | null;
  /** Rendered instead of the text (e.g. a link), still copying `value`. */
  display?: ReactNode;
  mono?: boolean;
  long?: boolean;
}

/** Label / value rows, each with a copy button. */
export function DetailList({ details }: { details: Detail[] }) {
  const rows = details.filter((d) => d.value !== undefined && d.value !== null && d.value !== '');
  return (
    <dl className={styles.list}>
      {rows.map((d) => (
        <div key={d.label} className={styles.row} data-long={d.long || undefined}>
          <dt className={styles.term}>{d.label}</dt>
          <dd className={styles.value} data-mono={d.mono || undefined}>
            <span className={styles.text}>{d.display ?? String(d.value)}</span>
            <CopyButton value={String(d.value)} label={d.label.toLowerCase()} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
