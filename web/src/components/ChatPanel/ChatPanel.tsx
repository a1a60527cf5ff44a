import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { ChatThread } from '@orchestrator/shared';
import { ApiError } from '../../api/client';
import { useMessages, useNewThread, useRenameThread, useSendMessage, useThread, useThreads } from '../../hooks/useChat';
import { useAccess, VIEW_ONLY } from '../../hooks/useAuth';
import { useChat } from '../../state/chat';
import { ChatComposer } from '../ChatComposer/ChatComposer';
import { ChatMessage } from '../ChatMessage/ChatMessage';
import { ChatThreadList } from '../ChatThreadList/ChatThreadList';
import styles from './ChatPanel.module.css';

const EXAMPLES = ['/apex-comfy sdxl a lighthouse at dusk --ar 16:9', '/apex-flux a red fox in the snow --raw', '/v0 a landing page for a lighthouse museum', '/agent-list ws', '/help'];

/** Why this user cannot write in the thread, or null. */
function useReadOnly(thread: ChatThread | undefined): string | null {
  const { canSubmit, isAdmin, team, user } = useAccess();
  if (!canSubmit) return VIEW_ONLY;
  if (team && !isAdmin && thread?.owner && thread.owner !== user?.name) return `This is ${thread.owner}'s thread: you can read it, not write in it`;
  return null;
}

function Title({ thread }: { thread: ChatThread }) {
  const [editing, setEditing] = useState<string | null>(null);
  const rename = useRenameThread();
  const { canSubmit } = useAccess();
  const save = () => {
    const title = editing?.trim();
    if (title && title !== thread.title) rename.mutate({ id: thread.id, title });
    setEditing(null);
  };
  if (editing !== null) {
    const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
      if (e.key === 'Enter') save();
      if (e.key === 'Escape') setEditing(null);
    };
    return <input className={styles.titleInput} value={editing} maxLength={200} autoFocus aria-label="Thread title" onChange={(e) => setEditing(e.target.value)} onBlur={save} onKeyDown={onKeyDown} />;
  }
  return (
    <button type="button" className={styles.title} onClick={() => canSubmit && setEditing(thread.title)} title={canSubmit ? 'Rename' : thread.title} data-testid="chat-thread-title">
      {thread.title}
    </button>
  );
}

function Welcome() {
  const putDraft = useChat((s) => s.putDraft);
  return (
    <div className={styles.welcome} data-testid="chat-welcome">
      <p className={styles.welcomeTitle}>Drive every generator from here.</p>
      <p className={styles.muted}>Type a prompt, or / for the commands. A few to start with:</p>
      <ul className={styles.examples}>
        {EXAMPLES.map((e) => (
          <li key={e}>
            <button type="button" className={styles.example} onClick={() => putDraft(e)}>
              {e}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The messages of a thread, newest at the bottom; older pages load when scrolled to the top. */
function Messages({ threadId, onCommand, showAuthor }: { threadId: string; onCommand: ((text: string) => void) | null; showAuthor: boolean }) {
  const { messages, hasPreviousPage, fetchPreviousPage, isFetchingPreviousPage, isPending, error } = useMessages(threadId);
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const lastSeq = messages[messages.length - 1]?.seq ?? 0;
  const firstSeq = messages[0]?.seq ?? 0;
  const prevHeight = useRef<{ first: number; height: number } | null>(null);

  // New messages keep the view at the bottom (when it was there); older ones keep what was on screen in place.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const before = prevHeight.current;
    if (before && before.first !== firstSeq && firstSeq < before.first) el.scrollTop += el.scrollHeight - before.height;
    else if (stick.current) el.scrollTop = el.scrollHeight;
    prevHeight.current = { first: firstSeq, height: el.scrollHeight };
  }, [lastSeq, firstSeq, messages.length]);

  // Cards grow as their images load: stay at the bottom while that happens.
  useEffect(() => {
    const el = scroller.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const list = el.firstElementChild;
    if (!list) return;
    const ro = new ResizeObserver(() => {
      if (stick.current) el.scrollTop = el.scrollHeight;
    });
    ro.observe(list);
    return () => ro.disconnect();
  }, [threadId, isPending]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (el.scrollTop < 60 && hasPreviousPage && !isFetchingPreviousPage) void fetchPreviousPage();
  };

  return (
    <div className={styles.scroller} ref={scroller} onScroll={onScroll} data-testid="chat-messages">
      <ol className={styles.messages} aria-label="Messages" aria-live="polite" aria-relevant="additions">
        {hasPreviousPage && (
          <li className={styles.older}>
            <button type="button" className={styles.olderButton} onClick={() => void fetchPreviousPage()} disabled={isFetchingPreviousPage}>
              {isFetchingPreviousPage ? 'Loading…' : 'Older messages'}
            </button>
          </li>
        )}
        {isPending && <li className={styles.muted}>Loading…</li>}
        {error && <li className={styles.errorLine}>{error.message}</li>}
        {!isPending && messages.length === 0 && (
          <li>
            <Welcome />
          </li>
        )}
        {messages.map((m) => (
          <ChatMessage key={m.id} message={m} onCommand={onCommand} showAuthor={showAuthor} />
        ))}
      </ol>
    </div>
  );
}

/**
 * The chat: a thread (its messages, live job cards, the input) or the thread list. The open thread is
 * remembered; a first visit opens the most recent one, and with none the first message starts one.
 */
export function ChatPanel() {
  const threadId = useChat((s) => s.threadId);
  const listOpen = useChat((s) => s.listOpen);
  const setListOpen = useChat((s) => s.setListOpen);
  const select = useChat((s) => s.select);
  const { threads, isSuccess: listed } = useThreads();
  const thread = useThread(threadId);
  const create = useNewThread();
  const send = useSendMessage();
  const { team, canSubmit, user } = useAccess();
  const readOnly = useReadOnly(thread.data);
  const claim = useChat((s) => s.claim);

  // Another login on this browser does not start in the last user's thread, nor recall what they typed.
  const userName = team ? (user?.name ?? null) : null;
  useEffect(() => {
    if (userName) claim(userName);
  }, [userName, claim]);

  // No thread open (a first visit, or the open one was deleted or is gone): the most recent one.
  const gone = thread.error instanceof ApiError && thread.error.status === 404;
  useEffect(() => {
    if (!listed) return;
    if (threadId === null || gone || thread.data?.deletedAt) {
      const next = threads.find((t) => t.id !== threadId)?.id ?? null;
      if (next !== threadId) select(next);
    }
  }, [listed, threadId, gone, thread.data?.deletedAt, threads, select]);

  const onCommand = useCallback((text: string) => send.mutate({ threadId, body: { text } }), [send, threadId]);
  const current = thread.data && !thread.data.deletedAt ? thread.data : undefined;
  // Still loading the thread: its id is good enough to read and write in it.
  const liveId = threadId && !gone && !thread.data?.deletedAt ? threadId : null;

  return (
    <section className={styles.panel} aria-label="Chat" data-testid="chat-panel">
      <div className={styles.bar}>
        <button
          type="button"
          className={styles.iconButton}
          aria-expanded={listOpen}
          aria-label={listOpen ? 'Back to the thread' : 'Threads'}
          title={listOpen ? 'Back to the thread' : 'Threads'}
          onClick={() => setListOpen(!listOpen)}
          data-testid="chat-threads-toggle"
        >
          {listOpen ? '←' : '☰'}
        </button>
        {listOpen ? <span className={styles.heading}>Threads</span> : current ? <Title thread={current} /> : <span className={styles.heading}>New thread</span>}
        {canSubmit && (
          <button type="button" className={styles.iconButton} onClick={() => create.mutate()} disabled={create.isPending} aria-label="New thread" title="New thread" data-testid="chat-new-thread">
            +
          </button>
        )}
      </div>
      {listOpen ? (
        <ChatThreadList />
      ) : (
        <>
          {liveId ? (
            <Messages threadId={liveId} onCommand={readOnly ? null : onCommand} showAuthor={team} />
          ) : (
            <div className={styles.scroller}>
              <Welcome />
            </div>
          )}
          {send.error && <p className={styles.errorLine}>{send.error.message}</p>}
          <ChatComposer threadId={liveId} target={current?.target} readOnly={readOnly} />
        </>
      )}
    </section>
  );
}
