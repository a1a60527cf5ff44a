import type { JobProgress } from '@orchestrator/shared';
import type { TrackerHooks } from './prompt-tracker.js';
import { classTypeOf } from './workflow.js';

/*
 * Turns ComfyUI's execution frames into the job's progress: percent and step/total from `progress`,
 * the executing node as `KSampler (#3)`, an ETA from the step timing of the current node, and
 * previews as data URLs at most every `previewIntervalMs`.
 */
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

  constructor(
    private readonly graph: Record<string, unknown> | undefined,
    private readonly emit: (p: JobProgress) => void,
    private readonly emitPreview: (dataUrl: string) => void,
    private readonly previewIntervalMs = 250,
    private readonly now: () => number = Date.now,
  ) {}

  started(): void {}

  node(nodeId: string): void {
    this.nodeStartedAt.set(nodeId, this.now());
    this.nodeLabel = this.label(nodeId);
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
    this.percent = max > 0 ? Math.min(99, Math.max(0, Math.round((value / max) * 100))) : this.percent;
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
