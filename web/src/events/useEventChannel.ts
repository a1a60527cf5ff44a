import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { releaseAssets } from '../state/assetSelection';
import { useConnection } from '../state/connection';
import { toast } from '../state/toasts';
import { applyEvent } from './applyEvent';
import { EventClient } from './EventClient';
import { cancelQueueRefresh, scheduleQueueRefresh } from './queueRefresh';

/** If the socket neither opens nor fails by then, fetch the lists anyway. */
const READY_FALLBACK_MS = 3000;

let current: EventClient | null = null;

/** Asks the event channel to reconnect now instead of waiting out its backoff. */
export function reconnectEvents(): void {
  current?.reconnectNow();
}

/**
 * Runs the event channel for the app's lifetime. Lists are first fetched once the socket is open, so
 * nothing happens between the snapshot and the first event that the page would not see.
 */
export function useEventChannel(): void {
  const client = useQueryClient();
  useEffect(() => {
    const connection = useConnection.getState();
    const refetchAll = () => void client.invalidateQueries();
    const events = new EventClient({
      onEvent: (event) =>
        applyEvent(client, event, {
          onJobFailed: (job) => toast.error(`Job failed: ${job.error?.message ?? 'unknown error'}`),
          onAssetRemoved: (id) => releaseAssets([id]),
          onQueueChanged: () => scheduleQueueRefresh(client),
        }),
      onResync: refetchAll,
      onOpen: (resumed) => {
        // A fresh stream position means events may have been missed since the lists were fetched.
        if (!resumed && useConnection.getState().ready) refetchAll();
        connection.set({ status: 'open', ready: true, retryAt: null });
      },
      onClose: (retryAt) => connection.set({ status: 'reconnecting', ready: true, retryAt }),
    });
    current = events;
    events.start();
    const fallback = setTimeout(() => connection.set({ ready: true }), READY_FALLBACK_MS);
    return () => {
      clearTimeout(fallback);
      cancelQueueRefresh();
      events.stop();
      if (current === events) current = null;
      connection.set({ status: 'connecting', retryAt: null });
    };
  }, [client]);
}
