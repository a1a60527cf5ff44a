import type { ChatThread } from '@orchestrator/shared';
import { useDeleteThread, useNewThread, useThreads } from '../../hooks/useChat';
import { useAccess } from '../../hooks/useAuth';
import { formatShortTime } from '../../lib/format';
import { useChat } from '../../state/chat';
import { ChatTrash } from './ChatTrash';
import styles from './ChatThreadList.module.css';

/**
 * The threads, the most recently active first: open one, start one, delete one (Undo brings it back).
 * In team mode it shows one's own threads, or everyone's (others' threads open read-only).
 */
export function ChatThreadList() {
  const { threads, isPending, hasNextPage, fetchNextPage, isFetchingNextPage } = useThreads();
  const current = useChat((s) => s.threadId);
  const open = useChat((s) => s.open);
  const create = useNewThread();
  const remove = useDeleteThread();
  const { canSubmit, isAdmin, user, team } = useAccess();
  const mayDelete = (t: ChatThread) => canSubmit && (isAdmin || !team || t.owner === user?.name);
  const scope = useChat((s) => s.scope);
  const setScope = useChat((s) => s.setScope);

  return (
    <section className={styles.list} aria-label="Threads" data-testid="chat-thread-list">
      {team && (
        <div className={styles.scope} role="group" aria-label="Whose threads">
          {(['mine', 'all'] as const).map((s) => (
            <button key={s} type="button" className={styles.scopeButton} aria-pressed={scope === s} onClick={() => setScope(s)} data-testid={`chat-scope-${s}`}>
              {s === 'mine' ? 'Mine' : 'Everyone'}
            </button>
          ))}
        </div>
      )}
      <div className={styles.bar}>
        <span className={styles.count}>{isPending ? 'Loading…' : `${threads.length}${hasNextPage ? '+' : ''} ${threads.length === 1 ? 'thread' : 'threads'}`}</span>
        {canSubmit && (
          <button type="button" className={styles.new} onClick={() => create.mutate()} disabled={create.isPending} data-testid="chat-new-thread-in-list">
            New thread
          </button>
        )}
      </div>
      {threads.length === 0 && !isPending && <p className={styles.empty}>No threads yet: your first message starts one.</p>}
      <ul className={styles.items}>
        {threads.map((t) => (
          <li key={t.id} className={styles.item} data-current={t.id === current || undefined}>
            <button type="button" className={styles.open} onClick={() => open(t.id)} aria-current={t.id === current ? 'true' : undefined} data-testid="chat-thread-item">
              <span className={styles.title}>{t.title}</span>
              <span className={styles.meta}>
                {formatShortTime(t.updatedAt)} · {t.messageCount} {t.messageCount === 1 ? 'message' : 'messages'}
                {t.jobCount > 0 ? ` · ${t.jobCount} ${t.jobCount === 1 ? 'job' : 'jobs'}` : ''}
                {team && t.owner ? ` · ${t.owner}` : ''}
              </span>
            </button>
            {mayDelete(t) && (
              <button type="button" className={styles.delete} onClick={() => remove.mutate(t)} aria-label={`Delete the thread “${t.title}”`} title="Delete (Undo brings it back)">
                ×
              </button>
            )}
          </li>
        ))}
      </ul>
      {hasNextPage && (
        <button type="button" className={styles.more} onClick={() => void fetchNextPage()} disabled={isFetchingNextPage}>
          {isFetchingNextPage ? 'Loading…' : 'Older threads'}
        </button>
      )}
      <ChatTrash />
    </section>
  );
}
