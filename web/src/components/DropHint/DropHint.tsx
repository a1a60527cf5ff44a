import styles from './DropHint.module.css';

/** Shown while a file is dragged over the page: what dropping it does. Never in the way of the drop. */
export function DropHint() {
  return (
    <div className={styles.hint} aria-hidden="true" data-testid="drop-hint">
      <p className={styles.text}>Drop a PNG, JPEG or WebP to load its settings (from this app, ComfyUI or A1111)</p>
    </div>
  );
}
