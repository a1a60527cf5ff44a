import type { JobProgress } from '@orchestrator/shared';
import type { TrackerHooks } from './prompt-tracker.js';
import { classTypeOf } from './workflow.js';

/*
 * Turns ComfyUI's execution frames into the job's progress: percent and step/total from `progress`,
 * the executing node as `KSampler (#3)`, an ETA from the step timing of the current node, and
 * previews as data URLs at most every `previewIntervalMs`.
 *
 * A graph with samplers counts their steps (several samplers, e.g. a hires fix, share the 100% in
 * order). A graph without one sends no step frames for most nodes (observed on a real 0.3.64), so its
 * percent is the nodes done out of the nodes that will run (the graph less what ComfyUI serves from its
 * cache), with a node's own progress frames (an upscale model's tiles) filling its share.
 */

/** Nodes that sample: their `progress` frames are the steps of the job. */
const SAMPLER_TYPES = new Set(['KSampler', 'KSamplerAdvanced', 'SamplerCustom', 'SamplerCustomAdvanced']);

export class ProgressTranslator implements TrackerHooks {
  private percent = 0;
  private step: number | undefined;
  private totalSteps: number | undefined;
  private nodeLabel: string | undefined;
  private readonly nodeStartedAt = new Map<string, number>();
  private etaNode: string | undefined;
  private etaBase: { t: number; v: number } | null = null;
  private lastValue = -1;
  private lastPreviewAt = 0;
  /** The graph's sampler nodes, in no particular order (their count shares the percent). */
  private readonly samplers: Set<string>;
  private readonly samplersStarted: string[] = [];
  /** Sampler-less counting: nodes that will run, those started, and the current one. */
  private nodesToRun: number;
  private readonly startedNodes = new Set<string>();
  private current: string | undefined;

  constructor(
    private readonly graph: Record<string, unknown> | undefined,
    private readonly emit: (p: JobProgress) => void,
    private readonly emitPreview: (dataUrl: string) => void,
    private readonly previewIntervalMs = 250,
    private readonly now: () => number = Date.now,
  ) {
    const ids = Object.keys(graph ?? {});
    this.samplers = new Set(ids.filter((id) => SAMPLER_TYPES.has(classTypeOf(graph, id) ?? '')));
    this.nodesToRun = ids.length;
  }

  started(): void {}

  cached(nodeIds: string[]): void {
    const inGraph = nodeIds.filter((id) => this.graph && Object.hasOwn(this.graph, id));
    this.nodesToRun = Math.max(1, Object.keys(this.graph ?? {}).length - inGraph.length);
  }

  node(nodeId: string): void {
    this.nodeStartedAt.set(nodeId, this.now());
    this.nodeLabel = this.label(nodeId);
    this.startedNodes.add(nodeId);
    this.current = nodeId;
    if (this.samplers.size === 0) this.percent = this.nodePercent(0);
    this.emit(this.snapshot());
  }

  progress(value: number, max: number, nodeId: string | undefined): void {
    const now = this.now();
    if (nodeId !== undefined) this.nodeLabel = this.label(nodeId);
    if (nodeId !== this.etaNode || value < this.lastValue || this.etaBase === null) {
      this.etaNode = nodeId;
      const startedAt = nodeId !== undefined ? this.nodeStartedAt.get(nodeId) : undefined;
      this.etaBase = startedAt !== undefined && value <= 1 ? { t: startedAt, v: 0 } : { t: now, v: value };
    }
    this.lastValue = value;
    const base = this.etaBase;
    const eta = value > base.v && max >= value ? ((now - base.t) / (value - base.v)) * (max - value) : undefined;
    const fraction = max > 0 ? Math.min(1, Math.max(0, value / max)) : 0;
    if (this.samplers.size === 0) this.percent = this.nodePercent(fraction);
    else if (max > 0) this.percent = this.samplerPercent(nodeId, fraction);
    this.step = Math.round(value);
    this.totalSteps = Math.round(max);
    this.emit({ ...this.snapshot(), ...(eta !== undefined ? { etaMs: Math.round(eta) } : {}) });
  }

  preview(mimeType: string, bytes: Buffer): void {
    const now = this.now();
    if (now - this.lastPreviewAt < this.previewIntervalMs) return;
    this.lastPreviewAt = now;
    this.emitPreview(`data:${mimeType};base64,${bytes.toString('base64')}`);
  }

  /** Nodes done (all started but the current one) plus the current one's fraction, of the nodes to run. */
  private nodePercent(fraction: number): number {
    const done = Math.max(0, this.startedNodes.size - (this.current ? 1 : 0));
    return Math.min(99, Math.max(this.percent, Math.round(((done + fraction) / this.nodesToRun) * 100)));
  }

  /** The samplers share the percent in the order they run (one sampler: its own steps, as before). */
  private samplerPercent(nodeId: string | undefined, fraction: number): number {
    if (nodeId !== undefined && this.samplers.has(nodeId) && !this.samplersStarted.includes(nodeId)) this.samplersStarted.push(nodeId);
    if (this.samplers.size <= 1 || nodeId === undefined || !this.samplers.has(nodeId)) return Math.min(99, Math.max(0, Math.round(fraction * 100)));
    const before = this.samplersStarted.indexOf(nodeId);
    return Math.min(99, Math.max(0, Math.round(((before + fraction) / this.samplers.size) * 100)));
  }

  private label(nodeId: string): string {
    const type = classTypeOf(this.graph, nodeId);
    return type ? `${type} (#${nodeId})` : `#${nodeId}`;
  }

  private snapshot(): JobProgress {
    return {
      percent: this.percent,
      ...(this.step !== undefined ? { step: this.step } : {}),
      ...(this.totalSteps !== undefined ? { totalSteps: this.totalSteps } : {}),
      ...(this.nodeLabel !== undefined ? { node: this.nodeLabel } : {}),
    };
  }
}
