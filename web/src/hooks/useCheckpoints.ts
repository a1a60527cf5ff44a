import { useQuery } from '@tanstack/react-query';
import { templateFamilyFromName, TEMPLATE_FAMILIES, type TemplateFamily } from '@orchestrator/shared';
import { api, type ModelItem } from '../api/endpoints';
import { queryKeys } from '../api/keys';
import { useConnection } from '../state/connection';

/** The checkpoint catalogue (GET /api/models?folder=checkpoints), with each model's detected family. */
export function useCheckpoints() {
  const ready = useConnection((s) => s.ready);
  return useQuery({
    queryKey: queryKeys.checkpoints,
    queryFn: ({ signal }) => api.checkpoints(signal),
    enabled: ready,
    staleTime: 60_000,
    select: (data) => data.items,
  });
}

function isFamily(f: string | undefined): f is TemplateFamily {
  return f !== undefined && (TEMPLATE_FAMILIES as readonly string[]).includes(f);
}

/** A checkpoint's template family: the catalogue's, else a hint in its name. */
export function familyOf(model: string, items: readonly ModelItem[] | undefined): TemplateFamily | undefined {
  const item = items?.find((m) => m.name === model || m.file === model);
  if (isFamily(item?.family)) return item.family;
  return model ? templateFamilyFromName(model) : undefined;
}
