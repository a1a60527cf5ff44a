import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { BackendStatus } from '@orchestrator/shared';
import { api } from '../api/endpoints';
import { queryKeys } from '../api/keys';
import { useConnection } from '../state/connection';

export interface ModelOption {
  name: string;
  /** Ids of the backends that have this checkpoint. */
  backends: string[];
}

export interface BackendSummary {
  backends: BackendStatus[];
  online: BackendStatus[];
  /** Checkpoints of the online backends (or, when none is online, the last known lists). */
  models: ModelOption[];
  samplers: string[];
  schedulers: string[];
  /** The optional node types (OPTIONAL_NODE_TYPES: Canny, upscale models, IP-Adapter) some backend here has. */
  nodes: ReadonlySet<string>;
}

function union(lists: string[][]): string[] {
  return [...new Set(lists.flat())].sort((a, b) => a.localeCompare(b));
}

export function summarize(backends: BackendStatus[]): BackendSummary {
  const online = backends.filter((b) => b.online);
  const source = online.length > 0 ? online : backends;
  const byModel = new Map<string, string[]>();
  for (const b of source) for (const c of b.checkpoints) byModel.set(c, [...(byModel.get(c) ?? []), b.id]);
  const models = [...byModel.entries()]
    .map(([name, ids]) => ({ name, backends: ids }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return {
    backends,
    online,
    models,
    samplers: union(source.map((b) => b.samplers)),
    schedulers: union(source.map((b) => b.schedulers)),
    nodes: new Set(source.flatMap((b) => b.nodes ?? [])),
  };
}

/** The configured ComfyUI backends. Fetched once; kept current by `backend.status` events. */
export function useBackends() {
  const ready = useConnection((s) => s.ready);
  const query = useQuery({ queryKey: queryKeys.backends, queryFn: ({ signal }) => api.listBackends(signal), enabled: ready });
  const summary = useMemo(() => summarize(query.data ?? []), [query.data]);
  return { ...query, summary };
}
