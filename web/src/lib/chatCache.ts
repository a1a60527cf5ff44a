import type { InfiniteData } from '@tanstack/react-query';
import type { ChatMessage, ChatMessagePage, ChatThread, ChatThreadPage } from '@orchestrator/shared';

/*
 * The chat's cached pages, changed by events and by POST answers alike (whichever comes first; the
 * other finds the message there already). Threads: newest activity first. Messages: pages from the
 * newest back (`pages[0]` is the oldest loaded), each oldest first.
 */

export type ThreadPages = InfiniteData<ChatThreadPage, unknown>;
export type MessagePages = InfiniteData<ChatMessagePage, unknown>;

/** A message added to the newest page (or replacing the one with its seq); older pages are left to paging. */
export function addMessage(data: MessagePages | undefined, message: ChatMessage): MessagePages | undefined {
  if (!data || data.pages.length === 0) return data;
  const lastIndex = data.pages.length - 1;
  for (let p = 0; p <= lastIndex; p++) {
    const items = data.pages[p]!.items;
    const at = items.findIndex((m) => m.seq === message.seq);
    if (at >= 0) {
      if (items[at]!.id === message.id && JSON.stringify(items[at]) === JSON.stringify(message)) return data;
      const next = items.slice();
      next[at] = message;
      const pages = data.pages.slice();
      pages[p] = { ...data.pages[p]!, items: next };
      return { ...data, pages };
    }
  }
  const last = data.pages[lastIndex]!;
  // Newer pages exist that were never loaded: the message belongs after them; a refetch brings it.
  if (last.nextCursor) return data;
  const items = [...last.items, message].sort((a, b) => a.seq - b.seq);
  const pages = data.pages.slice();
  pages[lastIndex] = { ...last, items };
  return { ...data, pages };
}

export function flattenMessages(data: MessagePages | undefined): ChatMessage[] {
  return data ? data.pages.flatMap((p) => p.items) : [];
}

const byActivity = (a: ChatThread, b: ChatThread) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0);

/** The thread in the list: replaced (and moved to its place by activity), or added at the top when it is new. */
export function upsertThread(data: ThreadPages | undefined, thread: ChatThread): ThreadPages | undefined {
  if (!data) return data;
  if (thread.deletedAt) return removeThread(data, thread.id);
  const all = data.pages.flatMap((p) => p.items);
  const old = all.find((t) => t.id === thread.id);
  const merged = old && old.updatedAt > thread.updatedAt ? { ...thread, updatedAt: old.updatedAt, messageCount: Math.max(old.messageCount, thread.messageCount) } : thread;
  const rest = all.filter((t) => t.id !== thread.id);
  const sorted = [...rest, merged].sort(byActivity);
  // Keep the page boundaries as they were (the cursors stay valid): the lists are short, so one page holds the change.
  const pages = data.pages.map((p, i) => ({ ...p, items: i === 0 ? sorted.slice(0, p.items.length + (old ? 0 : 1)) : [] }));
  let offset = pages[0]!.items.length;
  for (let i = 1; i < pages.length; i++) {
    const size = data.pages[i]!.items.length;
    pages[i] = { ...data.pages[i]!, items: sorted.slice(offset, offset + size) };
    offset += size;
  }
  return { ...data, pages };
}

/** A new message moves its thread to the top and counts. */
export function touchThread(data: ThreadPages | undefined, threadId: string, message: ChatMessage): ThreadPages | undefined {
  if (!data) return data;
  const thread = data.pages.flatMap((p) => p.items).find((t) => t.id === threadId);
  if (!thread) return data;
  if (thread.updatedAt >= message.createdAt && thread.messageCount >= message.seq) return data;
  return upsertThread(data, { ...thread, updatedAt: message.createdAt > thread.updatedAt ? message.createdAt : thread.updatedAt, messageCount: Math.max(thread.messageCount, message.seq) });
}

export function removeThread(data: ThreadPages | undefined, id: string): ThreadPages | undefined {
  if (!data) return data;
  if (!data.pages.some((p) => p.items.some((t) => t.id === id))) return data;
  return { ...data, pages: data.pages.map((p) => ({ ...p, items: p.items.filter((t) => t.id !== id) })) };
}

export function flattenThreads(data: ThreadPages | undefined): ChatThread[] {
  return data ? data.pages.flatMap((p) => p.items) : [];
}
