import { useMemo } from 'react';
import { skipToken, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ChatThread, PostMessageBody, PostMessageResult } from '@orchestrator/shared';
import { chatApi } from '../api/chat';
import { errorMessage } from '../api/client';
import { queryKeys } from '../api/keys';
import { cachedThread, recordChatMessage, recordChatThread, updateThreadLists } from '../events/chatEvents';
import { flattenMessages, flattenThreads, removeThread } from '../lib/chatCache';
import { useChat } from '../state/chat';
import { useAccess } from './useAuth';
import { useConnection } from '../state/connection';
import { toast } from '../state/toasts';

/** Whose threads the list shows: in team mode one's own ("Mine") unless everyone's were asked for; '' for everyone's. */
export function useThreadOwner(): string {
  const { team, user } = useAccess();
  const scope = useChat((s) => s.scope);
  return team && scope === 'mine' && user ? user.name : '';
}

/** Threads, the most recently active first; kept current by `chat.message` events. */
export function useThreads() {
  const ready = useConnection((s) => s.ready);
  const owner = useThreadOwner();
  const query = useInfiniteQuery({
    queryKey: queryKeys.chatThreadList(owner),
    queryFn: ({ pageParam, signal }) => chatApi.listThreads(owner, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor,
    enabled: ready,
  });
  const threads = useMemo(() => flattenThreads(query.data), [query.data]);
  return { ...query, threads };
}

/** One thread: from the list when it is there, else fetched. */
export function useThread(id: string | null) {
  const client = useQueryClient();
  const ready = useConnection((s) => s.ready);
  return useQuery({
    queryKey: queryKeys.chatThread(id ?? ''),
    queryFn: id && ready ? ({ signal }) => chatApi.getThread(id, signal) : skipToken,
    initialData: () => (id ? cachedThread(client, id) : undefined),
    retry: (n, err) => !(err instanceof Error && 'status' in err && (err as { status: number }).status === 404) && n < 2,
  });
}

/** A thread's messages: the newest page first, older ones on demand; new ones arrive by events. */
export function useMessages(threadId: string | null) {
  const ready = useConnection((s) => s.ready);
  const query = useInfiniteQuery({
    queryKey: queryKeys.chatMessages(threadId ?? ''),
    queryFn: threadId ? ({ pageParam, signal }) => chatApi.messages(threadId, pageParam, signal) : skipToken,
    initialPageParam: undefined as string | undefined,
    getPreviousPageParam: (first) => first.prevCursor,
    getNextPageParam: () => undefined,
    enabled: ready && threadId !== null,
    staleTime: Infinity,
  });
  const messages = useMemo(() => flattenMessages(query.data), [query.data]);
  return { ...query, messages };
}

export interface SendVars {
  /** null: start a thread first. */
  threadId: string | null;
  body: PostMessageBody;
}

/** Sends a message (starting a thread when there is none); the answer goes into the cache at once. */
export function useSendMessage() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ threadId, body }: SendVars): Promise<PostMessageResult> => {
      let id = threadId;
      if (!id) {
        const thread = await chatApi.createThread();
        recordChatThread(client, thread);
        useChat.getState().open(thread.id);
        id = thread.id;
      }
      return chatApi.post(id, body);
    },
    onSuccess: (result, { body }) => {
      recordChatThread(client, result.thread);
      for (const m of result.messages) recordChatMessage(client, result.thread.id, m);
      useChat.getState().remember(body.text);
    },
  });
}

export function useNewThread() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => chatApi.createThread(),
    onSuccess: (thread) => {
      recordChatThread(client, thread);
      useChat.getState().open(thread.id);
    },
    onError: (err) => toast.error(`Could not start a thread: ${errorMessage(err)}`),
  });
}

export function useRenameThread() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, title }: { id: string; title: string }) => chatApi.renameThread(id, title),
    onSuccess: (thread) => recordChatThread(client, thread),
    onError: (err) => toast.error(`Could not rename the thread: ${errorMessage(err)}`),
  });
}

/** Threads in the trash (whose: as the thread list), read when the trash is shown. */
export function useTrashedThreads(enabled: boolean) {
  const ready = useConnection((s) => s.ready);
  const owner = useThreadOwner();
  const query = useInfiniteQuery({
    queryKey: queryKeys.chatTrash(owner),
    queryFn: ({ pageParam, signal }) => chatApi.listTrash(owner, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor,
    enabled: ready && enabled,
    staleTime: 0,
  });
  const threads = useMemo(() => flattenThreads(query.data), [query.data]);
  return { ...query, threads };
}

/** Brings a thread back from the trash and opens it. */
export function useRestoreThread() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => chatApi.restoreThread(id),
    onSuccess: (thread: ChatThread) => {
      recordChatThread(client, thread);
      void client.invalidateQueries({ queryKey: queryKeys.chatTrashLists });
      useChat.getState().open(thread.id);
    },
    onError: (err) => toast.error(`Could not restore the thread: ${errorMessage(err)}`),
  });
}

/** Deletes to the trash, with Undo. */
export function useDeleteThread() {
  const client = useQueryClient();
  const restore = useRestoreThread();
  return useMutation({
    mutationFn: (thread: ChatThread) => chatApi.deleteThread(thread.id),
    onSuccess: (_r, thread) => {
      updateThreadLists(client, (d) => removeThread(d, thread.id));
      void client.invalidateQueries({ queryKey: queryKeys.chatTrashLists });
      if (useChat.getState().threadId === thread.id) useChat.getState().select(null);
      toast.info(`Deleted “${thread.title}”`, { label: 'Undo', run: () => restore.mutate(thread.id) });
    },
    onError: (err) => toast.error(`Could not delete the thread: ${errorMessage(err)}`),
  });
}
