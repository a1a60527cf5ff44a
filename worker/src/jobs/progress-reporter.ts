import type { JobProgress } from '@orchestrator/shared';

/*
 * Rate-limits progress writes for one job: at most one per `intervalMs`, but the first report and the
 * last step (step === totalSteps) always go out at once, and a report held back by the limit is sent
 * when the interval ends (so the newest state is never lost). Sends run one after another, in order.
 */
export class ProgressReporter {
  private lastSentAt = 0;
  private sentAny = false;
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
    const isLast = p.step !== undefined && p.totalSteps !== undefined && p.step >= p.totalSteps;
    const elapsed = Date.now() - this.lastSentAt;
    if (!this.sentAny || isLast || elapsed >= this.intervalMs) {
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

  /** Drops anything held back and waits for the sends in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
    await this.chain;
  }

  private dispatch(p: JobProgress): void {
    this.sentAny = true;
    this.lastSentAt = Date.now();
    this.chain = this.chain.then(() => this.send(p)).catch(this.onError);
  }
}
