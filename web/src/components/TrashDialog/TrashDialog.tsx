import { useEffect, useRef, useState } from 'react';
import type { TrashedAsset } from '@orchestrator/shared';
import { errorMessage } from '../../api/client';
import { trashThumbUrl } from '../../api/endpoints';
import { useModalDialog } from '../../hooks/useModalDialog';
import { useTrash, useTrashActions } from '../../hooks/useTrash';
import { formatBytes, formatShortTime } from '../../lib/format';
import { confirmAction } from '../../state/confirm';
import { useGalleryUi } from '../../state/gallery';
import { tileCaption } from '../AssetTile/AssetTile';
import styles from './TrashDialog.module.css';

function Thumb({ item }: { item: TrashedAsset }) {
  const [failed, setFailed] = useState(false);
  if (failed || item.asset.type === 'site') return <span className={styles.fallback}>{item.asset.type}</span>;
  return <img className={styles.thumb} src={trashThumbUrl(item.id)} alt="" loading="lazy" onError={() => setFailed(true)} />;
}

/**
 * The trash as a modal list: what was deleted, newest first, each with Restore and Delete forever, and
 * Empty trash for all of it. When a row goes, focus moves to the row that takes its place. Loaded lazily.
 */
export default function TrashDialog() {
  const setOpen = useGalleryUi((s) => s.setTrashOpen);
  const { ref, onCancel } = useModalDialog(() => setOpen(false));
  const { items, total, error, isPending, hasNextPage, fetchNextPage, isFetchingNextPage } = useTrash();
  const { restore, purge, empty, emptying } = useTrashActions();
  const listRef = useRef<HTMLUListElement>(null);
  /** A row index to focus once the list has changed under it. */
  const refocus = useRef<number | null>(null);

  useEffect(() => {
    const at = refocus.current;
    if (at === null || !listRef.current) return;
    const rows = listRef.current.querySelectorAll<HTMLElement>('[data-role="restore"]');
    const target = rows[Math.min(at, rows.length - 1)] ?? ref.current?.querySelector<HTMLElement>('[data-testid="trash-close"]');
    target?.focus();
    refocus.current = null;
  }, [items, ref]);

  /** Runs an action on row `index`; when the list comes back without that row, focus goes to its successor. */
  const act = (index: number, run: () => Promise<unknown>) => {
    refocus.current = index;
    run().catch(() => undefined); // the failure is told in a toast (useTrashActions)
  };

  const deleteForever = async (item: TrashedAsset, index: number) => {
    const ok = await confirmAction({
      title: 'Delete for good?',
      message: `“${item.asset.fileName}” is deleted from the disk. This cannot be undone.`,
      confirmLabel: 'Delete forever',
      tone: 'danger',
    });
    if (ok) act(index, () => purge.mutateAsync(item.id));
  };

  const emptyTrash = async () => {
    const ok = await confirmAction({
      title: 'Empty the trash?',
      message: `${total === undefined ? 'Everything' : `${total.toLocaleString()} ${total === 1 ? 'item' : 'items'}`} in the trash will be deleted from the disk. This cannot be undone.`,
      confirmLabel: 'Empty trash',
      tone: 'danger',
    });
    if (ok) act(0, () => empty.mutateAsync(total ?? 0));
  };

  const busy = restore.isPending || purge.isPending || empty.isPending;
  return (
    <dialog ref={ref} className={styles.dialog} data-testid="trash-dialog" aria-labelledby="trash-title" onCancel={onCancel}>
      <header className={styles.header}>
        <h2 id="trash-title" className={styles.title}>
          Trash
        </h2>
        <span className={styles.count} data-testid="trash-count">
          {total !== undefined && `${total.toLocaleString()} ${total === 1 ? 'item' : 'items'}`}
        </span>
        <button type="button" className={styles.button} data-tone="danger" data-testid="trash-empty" onClick={() => void emptyTrash()} disabled={busy || !total}>
          Empty trash…
        </button>
        <button type="button" className={styles.close} data-testid="trash-close" aria-label="Close the trash" onClick={() => setOpen(false)}>
          ✕
        </button>
      </header>
      <p className={styles.intro}>Deleted items wait here until you restore them or delete them for good.</p>
      {emptying && (
        <div className={styles.progress} role="status" data-testid="trash-progress">
          <span>
            Deleting {Math.min(emptying.deleted, emptying.total).toLocaleString()} of {emptying.total.toLocaleString()}…
          </span>
          <progress max={Math.max(1, emptying.total)} value={emptying.deleted} aria-label="Emptying the trash" />
        </div>
      )}
      {error && (
        <p className={styles.error} role="alert">
          Cannot load the trash: {errorMessage(error)}
        </p>
      )}
      {isPending && !error && <p className={styles.note}>Loading…</p>}
      {!isPending && items.length === 0 && !error && <p className={styles.note}>The trash is empty.</p>}
      <ul ref={listRef} className={styles.list} aria-label="Deleted items">
        {items.map((item, index) => (
          <li key={item.id} className={styles.row} data-testid="trash-item" data-asset-id={item.id}>
            <Thumb item={item} />
            <div className={styles.text}>
              <span className={styles.name}>{item.asset.fileName}</span>
              <span className={styles.caption}>{tileCaption(item.asset)}</span>
              <span className={styles.meta}>
                Deleted {formatShortTime(item.trashedAt)} · {formatBytes(item.asset.size)}
              </span>
            </div>
            <div className={styles.actions}>
              <button
                type="button"
                className={styles.button}
                data-role="restore"
                data-testid="trash-restore"
                aria-label={`Restore ${item.asset.fileName}`}
                disabled={busy}
                onClick={() => act(index, () => restore.mutateAsync(item.id))}
              >
                Restore
              </button>
              <button
                type="button"
                className={styles.button}
                data-tone="danger"
                data-testid="trash-purge"
                aria-label={`Delete ${item.asset.fileName} forever`}
                disabled={busy}
                onClick={() => void deleteForever(item, index)}
              >
                Delete forever…
              </button>
            </div>
          </li>
        ))}
      </ul>
      {hasNextPage && (
        <button type="button" className={styles.more} onClick={() => void fetchNextPage()} disabled={isFetchingNextPage}>
          {isFetchingNextPage ? 'Loading…' : 'Show more'}
        </button>
      )}
    </dialog>
  );
}
