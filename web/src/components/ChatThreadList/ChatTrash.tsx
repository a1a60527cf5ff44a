import { useState } from 'react';
import { useRestoreThread, useTrashedThreads } from '../../hooks/useChat';
import { useAccess } from '../../hooks/useAuth';
import { formatShortTime } from '../../lib/format';
import styles from './ChatThreadList.module.css';

/** Deleted threads, read when opened: each comes back with Restore (they are purged 30 days after deletion). */
export function ChatTrash() {
  const [open, setOpen] = useState(false);
  const { threads, isPending, hasNextPage, fetchNextPage, isFetchingNextPage } = useTrashedThreads(open);
  const restore = useRestoreThread();
  const { canSubmit, isAdmin, team, user } = useAccess();

  return (
    <div className={styles.trash}>
      <button type="button" className={styles.trashToggle} aria-expanded={open} onClick={() => setOpen(!open)} data-testid="chat-trash-toggle">
        {open ? '▾' : '▸'} Deleted threads
      </button>
      {open && (
        <>
          {isPending && <p className={styles.empty}>Loading…</p>}
          {!isPending && threads.length === 0 && <p className={styles.empty}>Nothing deleted. Deleted threads stay here for 30 days.</p>}
          <ul className={styles.items} data-testid="chat-trash">
            {threads.map((t) => (
              <li key={t.id} className={styles.item}>
                <span className={styles.open}>
                  <span className={styles.title}>{t.title}</span>
                  <span className={styles.meta}>
                    deleted {t.deletedAt ? formatShortTime(t.deletedAt) : ''} · {t.messageCount} {t.messageCount === 1 ? 'message' : 'messages'}
                    {team && t.owner ? ` · ${t.owner}` : ''}
                  </span>
                </span>
                {canSubmit && (isAdmin || !team || t.owner === user?.name) && (
                  <button type="button" className={styles.restore} onClick={() => restore.mutate(t.id)} disabled={restore.isPending} data-testid="chat-restore">
                    Restore
                  </button>
                )}
              </li>
            ))}
          </ul>
          {hasNextPage && (
            <button type="button" className={styles.more} onClick={() => void fetchNextPage()} disabled={isFetchingNextPage}>
              {isFetchingNextPage ? 'Loading…' : 'More'}
            </button>
          )}
        </>
      )}
    </div>
  );
}
