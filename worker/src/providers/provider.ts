import type { Logger } from 'pino';
import type { Asset, JobProgress, QueuedJobData } from '@orchestrator/shared';

/*
 * The one interface every external system sits behind (comfyui now; bfl and v0 later). A provider
 * runs one job to its end: it resolves with the assets it wrote, or throws one of the errors in
 * ../errors.ts (JobFailure, JobCancelled, BackendUnavailable, PromptLost, HandedBack).
 */

export interface RunContext {
  /** Aborts on cancel (reason 'cancel') or on worker shutdown (reason 'shutdown'). */
  signal: AbortSignal;
  /** The backend this consumer serves. */
  backend: { id: string; url: string };
  progress(p: JobProgress): void;
  /** A preview frame as a data URL; the provider already limits the rate. */
  preview(dataUrl: string): void;
  /** 1 for the first run; >1 when BullMQ retries the job. */
  attempt: number;
  /** Team mode: who submitted the job; its outputs record them as their owner. */
  owner?: string;
  /** When the job was created (its record's createdAt): the same for every attempt, so output names are too. */
  createdAt?: string;
  /** The backend a previous attempt used (from the job record), if any. */
  previousBackend?: string;
  /**
   * The work has left the backend (the prompt ended there); what remains is bringing the results home.
   * The backend can take the next prompt meanwhile.
   */
  backendDone?(): void;
  log: Logger;
}

export interface RunResult {
  assets: Asset[];
  /** Where the work actually ran (a retry may find its prompt on the previous backend). */
  backend?: string;
}

export interface Provider {
  run(job: QueuedJobData, ctx: RunContext): Promise<RunResult>;
}
