import type { Logger } from 'pino';
import { errorMessage } from '../../errors.js';
import { V0ApiError, type V0Chat, type V0Client } from './client.js';

/*
 * Stopping a cancelled job's generation on v0 (chats.stop), so that it stops using the user's credits.
 * A job keeps a V0Generation up to date from every answer v0 gives it (create, sendMessage, each poll).
 * On a cancel, stopGeneration stops the in-flight assistant message. It does so at once when v0's last
 * answer named that message. Otherwise it reads the chat once to find it; when the create got no answer,
 * it first finds the chat by the job id in the chat's metadata. This is best effort: one try, bounded by
 * a short timeout. Whatever goes wrong is logged, and the job ends cancelled anyway. A generation v0 has
 * already finished is left alone. A shutdown stops nothing, because the retry follows the generation.
 */

export type GenerationState = { finished: true } | { finished: false; messageId?: string };

/**
 * Where the generation that answers our message stands in `chat`. It is finished once a new version has
 * left "pending", or once an assistant message after ours has a finishReason. Otherwise it is running,
 * with the newest such assistant message (v0's placeholder) when v0 already shows one. Messages are
 * taken oldest first, as in poll.ts.
 */
export function generationState(chat: V0Chat, o: { messagesBefore: number; previousVersionId?: string | undefined }): GenerationState {
  const v = chat.latestVersion;
  if (v && v.id !== o.previousVersionId && v.status !== 'pending') return { finished: true };
  const answers = chat.messages.slice(o.messagesBefore).filter((m) => m.role === 'assistant');
  if (answers.some((m) => m.finishReason)) return { finished: true };
  const current = answers.at(-1);
  return current ? { finished: false, messageId: current.id } : { finished: false };
}

/** What a job knows about the generation it asked v0 for. */
export class V0Generation {
  chatId: string | undefined;
  messagesBefore = 0;
  previousVersionId: string | undefined;
  /** The in-flight assistant message, as of v0's last answer. */
  messageId: string | undefined;
  /** A create or sendMessage went out (its answer may never have come back). */
  requested = false;
  /** v0 has said the generation ended. */
  finished = false;

  /** The generation was asked for (now or by an earlier attempt) in this chat, after these messages. */
  track(chatId: string, o: { messagesBefore?: number; previousVersionId?: string }): void {
    this.chatId = chatId;
    this.messagesBefore = o.messagesBefore ?? 0;
    this.previousVersionId = o.previousVersionId;
    this.requested = true;
  }

  observe(chat: V0Chat): void {
    const s = generationState(chat, this);
    if (s.finished) this.finished = true;
    else if (s.messageId) this.messageId = s.messageId;
  }
}

export interface StopDeps {
  client: V0Client;
  log: Logger;
  /** The whole attempt (finding the chat and the message, and the stop) gives up after this long. */
  timeoutMs: number;
  /** The chat a create with no answer may have made anyway (found by the job id in its metadata). */
  findChat?(signal: AbortSignal): Promise<string | null>;
}

/** Stops the generation if one is running. It never throws, and it returns within about `timeoutMs`. */
export async function stopGeneration(g: V0Generation, d: StopDeps): Promise<void> {
  if (!g.requested || g.finished) return;
  const signal = AbortSignal.timeout(d.timeoutMs);
  let chatId = g.chatId;
  let messageId = g.messageId;
  try {
    chatId ??= (await d.findChat?.(signal)) ?? undefined;
    if (!chatId) {
      d.log.info('cancelled before v0 answered the create, and v0 shows no chat for this job: nothing to stop');
      return;
    }
    if (!messageId) {
      const s = generationState(await d.client.getChat(chatId, signal), g);
      if (s.finished) {
        d.log.info({ chatId }, 'the v0 generation had already finished: nothing to stop');
        return;
      }
      if (!s.messageId) {
        d.log.warn({ chatId }, 'v0 shows no assistant message for the generation yet, so it could not be stopped; it may go on using credits');
        return;
      }
      messageId = s.messageId;
    }
    await d.client.stopMessage(chatId, messageId, signal);
    d.log.info({ chatId, messageId }, 'v0 generation stopped');
  } catch (err) {
    if (err instanceof V0ApiError && err.status === 409) {
      d.log.info({ chatId, messageId }, 'v0 says the message is no longer being generated: nothing to stop');
      return;
    }
    const why = signal.aborted ? `no answer within ${d.timeoutMs} ms` : errorMessage(err);
    d.log.warn({ chatId, messageId, err: why }, 'could not stop the v0 generation; it may go on using credits');
  }
}
