// Graph helpers for execution: link detection, cache signatures (CacheKeySetInputSignature) and
// ExecutionList (comfy_execution/graph.py) with its "UX friendly" node pick order.
import { createHash } from 'node:crypto';
import type { FileStore } from './files.js';
import { NODES } from './nodes.js';
import { isPlainObject, pyJson } from './py.js';
import type { Graph } from './validate.js';

export type Link = [string, number];

/** comfy_execution.graph_utils.is_link */
export function isLink(v: unknown): v is Link {
  return Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'number' && Number.isInteger(v[1]);
}

export function nodeInputs(prompt: Graph, id: string): Record<string, unknown> {
  const inputs = prompt[id]?.inputs;
  return isPlainObject(inputs) ? inputs : {};
}

/** Signature per node: class_type, IS_CHANGED, sorted inputs with links replaced by ancestor signatures. */
export function signatures(prompt: Graph, files: FileStore): Map<string, string> {
  const memo = new Map<string, string>();
  const visiting = new Set<string>();
  const sig = (id: string): string => {
    const hit = memo.get(id);
    if (hit) return hit;
    const node = prompt[id];
    if (!node) return `missing:${id}`;
    if (visiting.has(id)) return `cycle:${id}`;
    visiting.add(id);
    const inputs = nodeInputs(prompt, id);
    const def = typeof node.class_type === 'string' ? NODES.get(node.class_type) : undefined;
    const parts: unknown[] = [node.class_type, def?.isChanged ? def.isChanged(inputs, files) : false];
    for (const k of Object.keys(inputs).sort()) {
      const v = inputs[k];
      parts.push(isLink(v) ? [k, 'ANCESTOR', sig(v[0]), v[1]] : [k, v]);
    }
    const s = createHash('sha1').update(pyJson(parts)).digest('hex');
    visiting.delete(id);
    memo.set(id, s);
    return s;
  };
  for (const id of Object.keys(prompt)) sig(id);
  return memo;
}

export class ExecutionList {
  private pending = new Map<string, true>();
  private blockCount = new Map<string, number>();
  private blocking = new Map<string, Set<string>>();

  constructor(
    private prompt: Graph,
    private isCached: (id: string) => boolean,
  ) {}

  private isOutput(id: string): boolean {
    const ct = this.prompt[id]?.class_type;
    return typeof ct === 'string' && !!NODES.get(ct)?.outputNode;
  }

  add(id: string): void {
    const stack = [id];
    const links: Array<[string, string]> = [];
    while (stack.length > 0) {
      const u = stack.pop()!;
      if (this.pending.has(u)) continue;
      this.pending.set(u, true);
      this.blockCount.set(u, 0);
      this.blocking.set(u, new Set());
      for (const v of Object.values(nodeInputs(this.prompt, u))) {
        if (!isLink(v)) continue;
        if (!this.isCached(v[0]) && this.prompt[v[0]]) stack.push(v[0]);
        links.push([v[0], u]);
      }
    }
    for (const [from, to] of links) {
      if (this.isCached(from) || !this.prompt[from]) continue;
      this.add(from);
      const b = this.blocking.get(from)!;
      if (!b.has(to)) {
        b.add(to);
        this.blockCount.set(to, (this.blockCount.get(to) ?? 0) + 1);
      }
    }
  }

  isEmpty(): boolean {
    return this.pending.size === 0;
  }

  /** Next node to run, or undefined when the remaining nodes form a cycle. */
  pick(): string | undefined {
    const available = [...this.pending.keys()].filter((id) => this.blockCount.get(id) === 0);
    if (available.length === 0) return undefined;
    for (const id of available) if (this.isOutput(id)) return id;
    for (const id of available) for (const b of this.blocking.get(id)!) if (this.isOutput(b)) return id;
    for (const id of available) {
      for (const b of this.blocking.get(id)!) for (const b1 of this.blocking.get(b) ?? []) if (this.isOutput(b1)) return id;
    }
    return available[0];
  }

  complete(id: string): void {
    this.pending.delete(id);
    for (const to of this.blocking.get(id) ?? []) this.blockCount.set(to, (this.blockCount.get(to) ?? 1) - 1);
    this.blocking.delete(id);
  }

  remaining(): string[] {
    return [...this.pending.keys()];
  }
}
