import { useQuery } from '@tanstack/react-query';
import { api } from '../api/endpoints';
import { queryKeys } from '../api/keys';
import { useConnection } from '../state/connection';

/**
 * Server health (Redis, workers, queues). No event carries it, so it is refetched when the window
 * regains focus or the event channel reconnects, never on a timer.
 */
export function useHealth() {
  const ready = useConnection((s) => s.ready);
  return useQuery({
    queryKey: queryKeys.health,
    queryFn: ({ signal }) => api.health(signal),
    enabled: ready,
    staleTime: 30_000,
    refetchOnWindowFocus: true,
  });
}
