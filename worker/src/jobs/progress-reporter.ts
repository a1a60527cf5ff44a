import type { JobProgress } from '@orchestrator/shared';

/*
 * Rate-limits progress writes for one job: at most one per `intervalMs`, but the first report, the
 * first step of a sampler (the UI learns the step count at once) and its last step (step ===
 * totalSteps) always go out at once, and a report held back by the limit is sent when the interval
 * ends (so the newest state is never lost). Sends run one after another, in order. The node changes
 * that follow the last step (decode, save) repeat that step: they are throttled like any other report.
 */
export class ProgressReporter {
  private lastSentAt = 0;
  private sentAny = false;
  /** step and totalSteps of the last report sent, as `step/total` ('' when it had none). */
  private lastStepSent = '';
  private pending: JobProgress | null = null;
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly send: (p: JobProgress) => Promise<void>,
    private readonly intervalMs = 200,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  report(p: JobProgress): void {
    if (this.stopped) return;
    const elapsed = Date.now() - this.lastSentAt;
    if (!this.sentAny || this.isMilestone(p) || elapsed >= this.intervalMs) {
      this.pending = null;
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.dispatch(p);
      return;
    }
    this.pending = p;
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        const next = this.pending;
        this.pending = null;
        if (next && !this.stopped) this.dispatch(next);
      }, this.intervalMs - elapsed);
    }
  }

  /**
   * Sends what the limit held back (the newest state is never lost, e.g. a provider's message just
   * before a quick finish), then waits for the sends in flight; nothing is sent after this.
   */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const held = this.pending;
    this.pending = null;
    if (held && !this.stopped) this.dispatch(held);
    this.stopped = true;
    await this.chain;
  }

  /** A sampler's first step (a new step count) or its last step, not sent yet. */
  private isMilestone(p: JobProgress): boolean {
    if (p.step === undefined || p.totalSteps === undefined) return false;
    const [, sentTotal] = this.lastStepSent.split('/');
    const firstStep = sentTotal !== String(p.totalSteps);
    const lastStep = p.step >= p.totalSteps && this.lastStepSent !== `${p.step}/${p.totalSteps}`;
    return firstStep || lastStep;
  }

  private dispatch(p: JobProgress): void {
    this.sentAny = true;
    this.lastStepSent = p.step !== undefined && p.totalSteps !== undefined ? `${p.step}/${p.totalSteps}` : '';
    this.lastSentAt = Date.now();
    this.chain = this.chain.then(() => this.send(p)).catch(this.onError);
  }
}
