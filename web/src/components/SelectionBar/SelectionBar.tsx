import { useQueryClient } from '@tanstack/react-query';
import { assetsByIds } from '../../events/galleryCache';
import { useAssetActions } from '../../hooks/useAssetActions';
import { useAssetSelection } from '../../state/assetSelection';
import styles from './SelectionBar.module.css';

/** "N selected" with the batch actions; shown while more than nothing is selected. */
export function SelectionBar() {
  const client = useQueryClient();
  const ids = useAssetSelection((s) => s.ids);
  const loadedOnly = useAssetSelection((s) => s.loadedOnly);
  const selectMode = useAssetSelection((s) => s.selectMode);
  const clear = useAssetSelection((s) => s.clear);
  const actions = useAssetActions();
  if (ids.size === 0) return null;
  const n = ids.size;
  // One item downloads as its own file; more as one zip (per 500).
  const downloadSelection = () => {
    const one = n === 1 ? assetsByIds(client, ids) : [];
    if (one.length === 1) actions.download(one);
    else actions.downloadIds([...ids]);
  };
  return (
    <div className={styles.bar} role="region" aria-label="Selection">
      <span className={styles.count} data-testid="selection-count" aria-live="polite">
        {n.toLocaleString()} selected
      </span>
      {loadedOnly && <span className={styles.note}>all loaded items — scroll further to load more</span>}
      {selectMode && !loadedOnly && <span className={styles.note}>tap items to add or remove</span>}
      <div className={styles.actions}>
        <button type="button" className={styles.button} data-testid="batch-download" onClick={() => downloadSelection()}>
          Download{n > 1 ? ' zip' : ''}
        </button>
        <button
          type="button"
          className={styles.button}
          data-tone="danger"
          data-testid="batch-delete"
          disabled={actions.deleting}
          onClick={() => void actions.confirmDelete(assetsByIds(client, ids))}
        >
          Delete…
        </button>
        <button type="button" className={styles.button} onClick={clear} aria-keyshortcuts="Escape">
          Clear
        </button>
      </div>
    </div>
  );
}
