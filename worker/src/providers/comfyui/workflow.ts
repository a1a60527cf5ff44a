import { randomBytes } from 'node:crypto';
import { MAX_SEED } from '@orchestrator/shared';

/*
 * Small helpers around API-format graphs. The templates themselves are data in shared/src/templates
 * (one module per model family), used by both server (validation) and worker (submission).
 */

/** A uniformly drawn seed that JavaScript numbers hold exactly (≤ MAX_SAFE_INTEGER). */
export function randomSeed(): number {
  return Number(randomBytes(8).readBigUInt64BE() % BigInt(MAX_SEED + 1));
}

/** Class type of a node id in a graph, for progress labels and error messages. */
export function classTypeOf(graph: Record<string, unknown> | undefined, nodeId: string): string | undefined {
  const node = graph?.[nodeId] as { class_type?: unknown } | undefined;
  return typeof node?.class_type === 'string' ? node.class_type : undefined;
}
