import type { QueryClient } from '@tanstack/react-query';
import { ChatEventData, checked, type ChatEventData as ChatEventDataT, type ChatMessage, type ChatThread } from '@orchestrator/shared';
import { queryKeys } from '../api/keys';
import { addMessage, flattenThreads, removeThread, touchThread, upsertThread, type MessagePages, type ThreadPages } from '../lib/chatCache';

const validChatEvent = checked(ChatEventData);

/**
 * Every cached thread list (everyone's, and one owner's in team mode) changed by `change`, which is
 * told whose list it is ('' for everyone's).
 */
export function updateThreadLists(client: QueryClient, change: (data: ThreadPages | undefined, owner: string) => ThreadPages | undefined): void {
  for (const q of client.getQueryCache().findAll({ queryKey: queryKeys.chatThreads })) {
    const owner = q.queryKey[2];
    if (typeof owner !== 'string') continue;
    client.setQueryData<ThreadPages>(q.queryKey, (data) => change(data, owner));
  }
}

/** A thread from any cached list. */
export function cachedThread(client: QueryClient, id: string): ChatThread | undefined {
  for (const [, data] of client.getQueriesData<ThreadPages>({ queryKey: queryKeys.chatThreads })) {
    const found = flattenThreads(data).find((t) => t.id === id);
    if (found) return found;
  }
  return undefined;
}

/** A message the server stored (its event, or the answer to our own POST) into the thread's cached pages. */
export function recordChatMessage(client: QueryClient, threadId: string, message: ChatMessage): void {
  client.setQueryData<MessagePages>(queryKeys.chatMessages(threadId), (data) => addMessage(data, message));
  updateThreadLists(client, (data) => touchThread(data, threadId, message));
  client.setQueryData<ChatThread>(queryKeys.chatThread(threadId), (t) =>
    t ? { ...t, updatedAt: message.createdAt > t.updatedAt ? message.createdAt : t.updatedAt, messageCount: Math.max(t.messageCount, message.seq) } : t,
  );
}

export function recordChatThread(client: QueryClient, thread: ChatThread): void {
  // A thread a list has never seen (made in another tab) joins it at the top: everyone's list, and its owner's.
  updateThreadLists(client, (data, owner) => (owner === '' || owner === thread.owner ? upsertThread(data, thread) : data));
  client.setQueryData<ChatThread>(queryKeys.chatThread(thread.id), thread);
}

/** `chat.message` events: payloads that do not match the shared schema are ignored. */
export function applyChatEvent(client: QueryClient, data: unknown): void {
  if (!validChatEvent.check(data)) return;
  const event: ChatEventDataT = data;
  switch (event.kind) {
    case 'message':
      recordChatMessage(client, event.threadId, event.message);
      return;
    case 'thread':
      recordChatThread(client, event.thread);
      // A restore (here or in another tab) takes it out of the trash.
      void client.invalidateQueries({ queryKey: queryKeys.chatTrashLists });
      return;
    case 'thread.deleted':
      updateThreadLists(client, (d) => removeThread(d, event.threadId));
      void client.invalidateQueries({ queryKey: queryKeys.chatTrashLists });
      client.setQueryData<ChatThread>(queryKeys.chatThread(event.threadId), (t) => (t ? { ...t, deletedAt: event.deletedAt } : t));
      return;
  }
}
