import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { api } from '../../api/endpoints';
import { queryKeys } from '../../api/keys';
import { useModalDialog } from '../../hooks/useModalDialog';
import styles from './ImportV0Dialog.module.css';

/** Lists the user's v0 chats (paged: v0 gives no total) and imports one as a site asset. */
export function ImportV0Dialog({ onClose }: { onClose: () => void }) {
  const modal = useModalDialog(onClose);
  const chats = useInfiniteQuery({
    queryKey: queryKeys.v0Chats,
    queryFn: ({ pageParam, signal }) => api.listV0Chats(pageParam, signal),
    initialPageParam: 0,
    getNextPageParam: (last) => last.nextOffset,
  });
  const importChat = useMutation({ mutationFn: (chatId: string) => api.importV0Chat(chatId) });


  const items = chats.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <dialog
      {...modal}
      className={styles.dialog}
      data-testid="import-v0-dialog"
      aria-labelledby="import-v0-title"
    >
      <h2 id="import-v0-title" className={styles.title}>
        Import from v0
      </h2>
      {chats.isPending && <p className={styles.muted}>Loading chats…</p>}
      {chats.error && (
        <p className={styles.error} role="alert">
          {errorMessage(chats.error)}
        </p>
      )}
      {!chats.isPending && items.length === 0 && !chats.error && <p className={styles.muted}>No chats on v0.</p>}
      <ul className={styles.list}>
        {items.map((chat) => {
          const done = chat.imported || (importChat.isSuccess && importChat.variables === chat.id);
          return (
            <li key={chat.id} className={styles.item}>
              <span className={styles.name}>{chat.name || chat.id}</span>
              <button
                type="button"
                className={styles.button}
                data-testid="import-v0-chat"
                disabled={done || (importChat.isPending && importChat.variables === chat.id)}
                onClick={() => importChat.mutate(chat.id)}
              >
                {done ? 'Imported' : importChat.isPending && importChat.variables === chat.id ? 'Importing…' : 'Import'}
              </button>
            </li>
          );
        })}
      </ul>
      {importChat.error && (
        <p className={styles.error} role="alert">
          {errorMessage(importChat.error)}
        </p>
      )}
      <div className={styles.actions}>
        {chats.hasNextPage && (
          <button type="button" className={styles.button} disabled={chats.isFetchingNextPage} onClick={() => void chats.fetchNextPage()}>
            {chats.isFetchingNextPage ? 'Loading…' : 'Load more'}
          </button>
        )}
        <button type="button" className={styles.button} onClick={onClose}>
          Close
        </button>
      </div>
    </dialog>
  );
}
