import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { ChatCommandName, CompletionSources, ModelCandidate } from '@orchestrator/shared';
import { api } from '../../api/endpoints';
import { queryKeys } from '../../api/keys';
import { useBackends } from '../../hooks/useBackends';
import { loaderName } from '../../hooks/useModels';
import { useConnection } from '../../state/connection';

const MODEL_FOLDERS = ['checkpoints', 'diffusion_models'] as const;

/**
 * What autocomplete offers beyond the grammar's own tables: the catalogue's checkpoints and diffusion
 * models (fetched once a command that takes a model is typed), agent names (for /agent-on|off), and
 * the backends' samplers.
 */
export function useCompletionSources(text: string, plainCommand: ChatCommandName | undefined): CompletionSources {
  const ready = useConnection((s) => s.ready);
  const lower = text.trimStart().toLowerCase();
  const wantsModels = /^\/(apex-comfy|comfy|comfyui|video)\b/.test(lower);
  const wantsAgents = /^\/agent-(on|off)\b/.test(lower);
  const models = useQuery({
    queryKey: ['chat', 'model-names'],
    queryFn: async ({ signal }) => {
      const pages = await Promise.all(MODEL_FOLDERS.map((folder) => api.listModels({ folder, limit: 200 }, signal)));
      return pages.flatMap((p, i) => p.items.map((m): ModelCandidate => ({ file: loaderName(m), folder: MODEL_FOLDERS[i], name: m.name, family: m.family })));
    },
    enabled: ready && wantsModels,
    staleTime: 30_000,
  });
  const agents = useQuery({
    queryKey: queryKeys.agents,
    queryFn: ({ signal }) => api.listAgents(signal),
    enabled: ready && wantsAgents,
    staleTime: 10_000,
  });
  const { summary } = useBackends();
  const samplers = summary.samplers;
  return useMemo(
    () => ({
      ...(models.data ? { models: models.data } : {}),
      ...(agents.data ? { agents: agents.data.agents.map((a) => a.name) } : {}),
      ...(samplers.length > 0 ? { samplers } : {}),
      ...(plainCommand ? { plainCommand } : {}),
    }),
    [models.data, agents.data, samplers, plainCommand],
  );
}
