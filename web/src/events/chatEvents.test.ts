import { describe, expect, it } from 'vitest';
import { QueryClient } from '@tanstack/react-query';
import type { ChatEventData, ChatMessage, ChatThread } from '@orchestrator/shared';
import { queryKeys } from '../api/keys';
import { flattenMessages, flattenThreads, type MessagePages, type ThreadPages } from '../lib/chatCache';
import { applyChatEvent, cachedThread } from './chatEvents';

/*
 * `chat.message` events in the query cache: a new thread joins everyone's list and its owner's list
 * (not another member's), a message moves its thread to the top and lands in the thread's newest page
 * once (the POST answer and the event may both bring it), a trashed thread leaves every list, and a
 * payload outside the shared schema changes nothing.
 */

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const thread = (id: string, owner: string | undefined, s: number): ChatThread => ({
  id,
  title: id,
  createdAt: at(s),
  updatedAt: at(s),
  ...(owner ? { owner } : {}),
  messageCount: 0,
  jobCount: 0,
});
const message = (threadId: string, seq: number, s: number): ChatMessage => ({ id: `${threadId}-${seq}`, threadId, seq, role: 'user', text: `m${seq}`, createdAt: at(s) });
const pages = (items: ChatThread[]): ThreadPages => ({ pages: [{ items }], pageParams: [undefined] });

function client(): QueryClient {
  const c = new QueryClient();
  c.setQueryData<ThreadPages>(queryKeys.chatThreadList(''), pages([thread('a', 'mia', 1), thread('b', 'max', 2)].reverse()));
  c.setQueryData<ThreadPages>(queryKeys.chatThreadList('mia'), pages([thread('a', 'mia', 1)]));
  return c;
}
const ids = (c: QueryClient, owner: string) => flattenThreads(c.getQueryData<ThreadPages>(queryKeys.chatThreadList(owner))).map((t) => t.id);
const event = (data: ChatEventData) => data;

describe('chat events in the cache', () => {
  it('put a new thread in everyone’s list and its owner’s, not in another member’s', () => {
    const c = client();
    applyChatEvent(c, event({ kind: 'thread', thread: thread('c', 'max', 3) }));
    expect(ids(c, '')).toEqual(['c', 'b', 'a']);
    expect(ids(c, 'mia')).toEqual(['a']);
    applyChatEvent(c, event({ kind: 'thread', thread: thread('d', 'mia', 4) }));
    expect(ids(c, '')).toEqual(['d', 'c', 'b', 'a']);
    expect(ids(c, 'mia')).toEqual(['d', 'a']);
    expect(cachedThread(c, 'd')?.owner).toBe('mia');
  });

  it('move a thread to the top of every list on a new message, and add the message once', () => {
    const c = client();
    c.setQueryData<MessagePages>(queryKeys.chatMessages('a'), { pages: [{ items: [message('a', 1, 1)] }], pageParams: [undefined] });
    const m = message('a', 2, 9);
    applyChatEvent(c, event({ kind: 'message', threadId: 'a', message: m }));
    applyChatEvent(c, event({ kind: 'message', threadId: 'a', message: m }));
    expect(ids(c, '')).toEqual(['a', 'b']);
    expect(flattenMessages(c.getQueryData<MessagePages>(queryKeys.chatMessages('a'))).map((x) => x.seq)).toEqual([1, 2]);
    expect(cachedThread(c, 'a')).toMatchObject({ updatedAt: at(9), messageCount: 2 });
  });

  it('take a trashed thread out of every list, and ignore payloads outside the schema', () => {
    const c = client();
    applyChatEvent(c, { kind: 'thread.deleted', threadId: 'a' });
    expect(ids(c, '')).toEqual(['b', 'a']);
    applyChatEvent(c, event({ kind: 'thread.deleted', threadId: 'a', deletedAt: at(5) }));
    expect(ids(c, '')).toEqual(['b']);
    expect(ids(c, 'mia')).toEqual([]);
  });
});
