import styles from './Switch.module.css';

interface Props {
  checked: boolean;
  /** What it switches, e.g. "comfyui-1 backend"; the on/off state is announced from aria-checked. */
  label: string;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
  testId?: string;
}

/** An on/off switch: a button with role="switch", toggled by click, Space or Enter. */
export function Switch({ checked, label, onChange, disabled = false, testId }: Props) {
  return (
    <button
      type="button"
      role="switch"
      aria-checked={checked}
      aria-label={label}
      title={`${label}: ${checked ? 'on' : 'off'}`}
      className={styles.switch}
      disabled={disabled}
      data-testid={testId}
      onClick={() => onChange(!checked)}
    >
      <span className={styles.thumb} aria-hidden="true" />
    </button>
  );
}
