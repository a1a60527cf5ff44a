/*
 * The BFL credit balance for /api/health: `GET {BFL_API_URL}/v1/credits` with the key, cached for a
 * minute (a failure for 15 s) and shared by concurrent callers, so a busy health page costs BFL one
 * request a minute. Errors come back as a short string for the report; the key never appears in one.
 */

export type CreditsReport = { credits: number } | { creditsError: string };

const STATUS_TEXT: Record<number, string> = {
  401: 'the FLUX API key is invalid (BFL answered 401)',
  403: 'the FLUX API key is invalid (BFL answered 403)',
  402: 'out of credits (BFL answered 402)',
  429: 'BFL is rate limiting (429)',
};

export interface BflCreditsOptions {
  baseUrl: string;
  apiKey: string;
  ttlMs?: number;
  errorTtlMs?: number;
  timeoutMs?: number;
}

export class BflCredits {
  private cached: { report: CreditsReport; until: number } | null = null;
  private inflight: Promise<CreditsReport> | null = null;

  constructor(private readonly o: BflCreditsOptions) {}

  read(now = Date.now()): Promise<CreditsReport> {
    if (this.cached && this.cached.until > now) return Promise.resolve(this.cached.report);
    this.inflight ??= this.fetch().then((report) => {
      const ttl = 'credits' in report ? (this.o.ttlMs ?? 60_000) : (this.o.errorTtlMs ?? 15_000);
      this.cached = { report, until: Date.now() + ttl };
      this.inflight = null;
      return report;
    });
    return this.inflight;
  }

  private async fetch(): Promise<CreditsReport> {
    try {
      const res = await fetch(`${this.o.baseUrl.replace(/\/+$/, '')}/v1/credits`, {
        headers: { accept: 'application/json', 'x-key': this.o.apiKey },
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 3000),
        redirect: 'error',
      });
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        return { creditsError: STATUS_TEXT[res.status] ?? `BFL answered ${res.status}` };
      }
      const body = (await res.json()) as { credits?: unknown };
      return typeof body.credits === 'number' ? { credits: body.credits } : { creditsError: 'BFL answered without a credit balance' };
    } catch (err) {
      const e = err as Error & { cause?: { code?: unknown; message?: unknown; errors?: { code?: unknown }[] } };
      if (e.name === 'TimeoutError') return { creditsError: 'BFL did not answer in time' };
      if (e instanceof SyntaxError) return { creditsError: 'BFL answered with something that is not JSON' };
      const raw = e.cause?.code ?? e.cause?.errors?.[0]?.code;
      const code = typeof raw === 'string' ? raw : typeof e.cause?.message === 'string' ? e.cause.message.slice(0, 80) : 'network error';
      return { creditsError: `BFL could not be reached (${code})` };
    }
  }
}
