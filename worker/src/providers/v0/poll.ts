import { setTimeout as sleep } from 'node:timers/promises';
import type { JobProgress } from '@orchestrator/shared';
import { JobFailure } from '../../errors.js';
import type { V0Chat, V0Client, V0Version } from './client.js';

/*
 * Waiting for a generation started in `responseMode: "async"`: read the chat with growing intervals
 * until its newest version is a new one and no longer pending, reporting "v0 is generating… 12 s"
 * meanwhile, and give up at a deadline (the generation goes on at v0; the chat can be imported later).
 */

export interface PollTuning {
  pollInitialMs: number;
  pollMaxMs: number;
  /** A generation still pending after this fails the job (v0 generations can take 10+ minutes). */
  deadlineMs: number;
}

export const DEFAULT_POLL_TUNING: PollTuning = { pollInitialMs: 1000, pollMaxMs: 10_000, deadlineMs: 20 * 60_000 };

export interface WaitOptions {
  /** The newest version before our message (a follow-up): the one we wait for comes after it. */
  previousVersionId?: string;
  /** Messages the chat had before our message: a later finished assistant message answers ours. */
  messagesBefore?: number;
  signal: AbortSignal;
  progress(p: JobProgress): void;
  tuning: PollTuning;
  /** Sees every chat read (the job keeps track of the in-flight message, to stop it on a cancel). */
  onChat?(chat: V0Chat): void;
}

const duration = (ms: number): string => (ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`);

/** A percent that moves on without knowing the total: about 60% after two minutes, never past 95. */
export function estimatedPercent(elapsedMs: number): number {
  return Math.round(5 + 90 * (1 - Math.exp(-elapsedMs / 150_000)));
}

/** The generation's outcome once v0 has one; undefined while it is still running. */
function outcome(chat: V0Chat, o: WaitOptions): { version: V0Version } | { failure: string } | undefined {
  const v = chat.latestVersion;
  if (v && v.id !== o.previousVersionId && v.status !== 'pending') return { version: v };
  const answer = chat.messages.slice(o.messagesBefore ?? 0).find((m) => m.role === 'assistant' && m.finishReason);
  if (answer && (!v || v.id === o.previousVersionId)) return { failure: answer.content.slice(0, 300) };
  return undefined;
}

export async function waitForVersion(client: V0Client, chatId: string, o: WaitOptions): Promise<{ chat: V0Chat; version: V0Version }> {
  const started = Date.now();
  let delay = o.tuning.pollInitialMs;
  for (;;) {
    const chat = await client.getChat(chatId, o.signal);
    o.onChat?.(chat);
    const done = outcome(chat, o);
    if (done && 'version' in done) return { chat, version: done.version };
    if (done) throw new JobFailure('execution_error', `v0 answered without making a new version: ${done.failure || '(no message)'}`, { chatId });
    const elapsed = Date.now() - started;
    if (elapsed >= o.tuning.deadlineMs) {
      throw new JobFailure(
        'provider_timeout',
        `v0 did not finish within ${duration(o.tuning.deadlineMs)}; the generation continues on v0 (chat ${chatId}): import it later from Sites`,
        { chatId },
      );
    }
    o.progress({ percent: estimatedPercent(elapsed), message: `v0 is generating… ${Math.round(elapsed / 1000)} s` });
    await sleep(Math.min(delay, o.tuning.deadlineMs - elapsed), undefined, { signal: o.signal });
    delay = Math.min(Math.round(delay * 1.5), o.tuning.pollMaxMs);
  }
}
