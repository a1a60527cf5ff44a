import type { QueryClient } from '@tanstack/react-query';
import { queryKeys } from '../api/keys';

/*
 * The queue view and the agents are computed by the server from many keys, so events do not patch
 * them; they ask for a refetch instead, once per burst. The refetch comes at least REFRESH_MS after
 * the last event (longer than the server's 500 ms schedule-snapshot cache, so it sees the change that
 * caused the event) and at most MAX_WAIT_MS after the first, so a steady stream of events still
 * refreshes the view.
 */
const REFRESH_MS = 600;
const MAX_WAIT_MS = 1500;

let timer: ReturnType<typeof setTimeout> | null = null;
let firstAt = 0;
let lastAt = 0;

function arm(client: QueryClient): void {
  if (timer) clearTimeout(timer);
  const due = Math.min(lastAt + REFRESH_MS, firstAt + MAX_WAIT_MS);
  timer = setTimeout(
    () => {
      timer = null;
      void client.invalidateQueries({ queryKey: queryKeys.queue });
      void client.invalidateQueries({ queryKey: queryKeys.agents });
      // An event just before a forced refresh may not be in it yet: one more round for it.
      if (Date.now() - lastAt < REFRESH_MS) {
        firstAt = Date.now();
        arm(client);
      }
    },
    Math.max(0, due - Date.now()),
  );
}

/** Refetches the queue view and the agents (those on screen; the others just go stale) soon. */
export function scheduleQueueRefresh(client: QueryClient): void {
  const now = Date.now();
  if (!timer) firstAt = now;
  lastAt = now;
  arm(client);
}

export function cancelQueueRefresh(): void {
  if (timer) clearTimeout(timer);
  timer = null;
}
