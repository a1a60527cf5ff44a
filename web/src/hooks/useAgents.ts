import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Agent, AgentList } from '@orchestrator/shared';
import { api } from '../api/endpoints';
import { queryKeys } from '../api/keys';
import { scheduleQueueRefresh } from '../events/queueRefresh';
import { switched, upsertAgent } from '../lib/queueCache';
import { useConnection } from '../state/connection';
import { toast } from '../state/toasts';

/**
 * A backend's owner and loaded model change without an event of their own (job and switch events
 * refetch the list at once), so the list is polled while something shows it.
 */
const POLL_MS = 5000;

/** Providers first (comfyui, flux, v0), then the ComfyUI backends, as the server lists them. */
export function useAgents() {
  const ready = useConnection((s) => s.ready);
  return useQuery({ queryKey: queryKeys.agents, queryFn: ({ signal }) => api.listAgents(signal), enabled: ready, refetchInterval: POLL_MS });
}

/**
 * POST /api/agents/:name/on|off. The switch moves at once; a refused switch goes back and says why.
 * The `agent.status` event (and the refetch it asks for) brings every other client and the queue's
 * reasons up to date.
 */
export function useSwitchAgent() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ agent, on }: { agent: Agent; on: boolean }) => api.switchAgent(agent.name, on),
    onMutate: async ({ agent, on }) => {
      await client.cancelQueries({ queryKey: queryKeys.agents });
      const before = client.getQueryData<AgentList>(queryKeys.agents);
      client.setQueryData<AgentList>(queryKeys.agents, (list) => upsertAgent(list, switched(agent, on)));
      return { before };
    },
    onSuccess: (agent) => client.setQueryData<AgentList>(queryKeys.agents, (list) => upsertAgent(list, agent)),
    onError: (err, { agent, on }, context) => {
      if (context?.before) client.setQueryData(queryKeys.agents, context.before);
      toast.error(`Cannot switch ${agent.name} ${on ? 'on' : 'off'}: ${err.message}`);
    },
    onSettled: () => scheduleQueueRefresh(client),
  });
}
