import type { CreateMode } from '../../state/createMode';
import styles from './ModeSwitch.module.css';

export interface ModeOption {
  mode: CreateMode;
  label: string;
  /** Why the mode cannot be used; null when it can. */
  unavailable: string | null;
}

interface Props {
  options: readonly ModeOption[];
  value: CreateMode;
  onChange: (mode: CreateMode) => void;
}

/** The Create panel's generator tabs: Image (ComfyUI) | FLUX | Video | Site. */
export function ModeSwitch({ options, value, onChange }: Props) {
  return (
    <div className={styles.switch} role="radiogroup" aria-label="What to create">
      {options.map((o) => (
        <button
          key={o.mode}
          type="button"
          role="radio"
          aria-checked={o.mode === value}
          data-testid={`mode-${o.mode}`}
          className={styles.option}
          disabled={o.unavailable !== null && o.mode !== value}
          title={o.unavailable ?? undefined}
          onClick={() => onChange(o.mode)}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}
