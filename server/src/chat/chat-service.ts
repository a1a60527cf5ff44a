import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import {
  CHAT_DEFAULT_TITLE,
  type ChatMessage,
  type ChatMessagePage,
  type ChatThread,
  type ChatThreadDeleted,
  type PageOf,
  type PostMessageBody,
  type PostMessageResult,
} from '@orchestrator/shared';
import { badRequest, conflict, notFound } from '../errors.js';
import { forbidden } from '../auth/auth-service.js';
import { mayManage, type Principal } from '../auth/principal.js';
import { readPage } from '../pagination.js';
import type { ChatStore } from './chat-store.js';
import type { ChatCommandRunner } from './command-runner.js';

/*
 * Threads and their messages: create, list (newest activity first), read messages a page at a time
 * either way, rename, delete to the trash and restore, and post a message, which stores it, runs it and
 * stores the reply. Members manage their own threads, admins all, viewers only read (the route's
 * access level); in local mode no thread has an owner.
 */

/** Trashed threads are purged for good after this long. */
export const CHAT_TRASH_MS = 30 * 24 * 3600_000;
const TITLE_FROM_PROMPT = 60;

export interface ThreadListQuery {
  limit: number;
  cursor?: string | undefined;
  owner?: string | undefined;
}

export interface MessageQuery {
  limit: number;
  cursor?: string | undefined;
  /** Without a cursor: the newest page (a chat opens at its end) instead of the oldest. */
  tail?: boolean | undefined;
}

const ownerOf = (by: Principal | undefined) => (by && by.via !== 'local' ? by.user.name : undefined);

/** A title from a prompt: its first line, cut at a word near 60 characters. */
export function titleFrom(prompt: string): string {
  const line = prompt.split('\n')[0]!.trim();
  if (line.length <= TITLE_FROM_PROMPT) return line;
  const cut = line.slice(0, TITLE_FROM_PROMPT);
  const space = cut.lastIndexOf(' ');
  return `${(space > 30 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

export class ChatService {
  private readonly now: () => Date;

  constructor(
    private readonly store: ChatStore,
    private readonly runner: ChatCommandRunner,
    private readonly log: FastifyBaseLogger,
    now?: () => Date,
  ) {
    this.now = now ?? (() => new Date());
  }

  async create(title: string | undefined, by: Principal | undefined): Promise<ChatThread> {
    const owner = ownerOf(by);
    return this.store.create({ id: randomUUID(), title: title?.trim() || CHAT_DEFAULT_TITLE, createdAt: this.now().toISOString(), ...(owner ? { owner } : {}) });
  }

  list(q: ThreadListQuery): Promise<PageOf<ChatThread>> {
    return readPage(this.store.source(q.owner ? { owner: q.owner } : {}), { limit: q.limit, cursor: q.cursor });
  }

  listTrash(q: ThreadListQuery): Promise<PageOf<ChatThread>> {
    return readPage(this.store.source('trash'), { limit: q.limit, cursor: q.cursor, ...(q.owner ? { filter: (t: ChatThread) => t.owner === q.owner } : {}) });
  }

  async get(id: string): Promise<ChatThread> {
    const thread = await this.store.get(id);
    if (!thread) throw notFound('thread', id);
    return thread;
  }

  /** A thread that is not in the trash, which `by` may change. */
  private async live(id: string, by: Principal | undefined): Promise<ChatThread> {
    const thread = await this.get(id);
    assertMayManage(thread, by);
    if (thread.deletedAt) throw conflict('thread_deleted', `Thread ${id} is in the trash: restore it first (POST /api/chat/threads/${id}/restore)`);
    return thread;
  }

  async messages(id: string, q: MessageQuery): Promise<ChatMessagePage> {
    await this.get(id);
    const state = await this.store.state(id);
    const last = state.seq;
    const first = Math.min(state.first, last + 1);
    let from: number;
    let to: number;
    const cursor = q.cursor ? parseMessageCursor(q.cursor) : null;
    if (cursor?.dir === 'after' || (!cursor && !q.tail)) {
      from = Math.max(first, (cursor?.seq ?? 0) + 1);
      to = Math.min(last, from + q.limit - 1);
    } else {
      to = Math.min(last, (cursor?.seq ?? last + 1) - 1);
      from = Math.max(first, to - q.limit + 1);
    }
    const items = from <= to ? await this.store.range(id, from, to) : [];
    const page: ChatMessagePage = { items };
    if (to < last) page.nextCursor = `a${Math.max(to, 0)}`;
    if (from > first) page.prevCursor = `b${from}`;
    return page;
  }

  async rename(id: string, title: string, by: Principal | undefined): Promise<ChatThread> {
    await this.live(id, by);
    const renamed = await this.store.rename(id, title.trim() || CHAT_DEFAULT_TITLE);
    if (!renamed) throw notFound('thread', id);
    return renamed;
  }

  async remove(id: string, by: Principal | undefined): Promise<ChatThreadDeleted> {
    const thread = await this.get(id);
    assertMayManage(thread, by);
    if (thread.deletedAt) return { id, deletedAt: thread.deletedAt };
    const at = this.now();
    await this.store.trash(thread, at);
    await this.purgeOld(at.getTime()).catch((err: unknown) => this.log.warn({ err }, 'could not purge old chat threads'));
    return { id, deletedAt: at.toISOString() };
  }

  async restore(id: string, by: Principal | undefined): Promise<ChatThread> {
    const thread = await this.get(id);
    assertMayManage(thread, by);
    if (!thread.deletedAt) return thread;
    return this.store.restore(thread);
  }

  /** Deletes a trashed thread and its messages for good. */
  async purge(id: string, by: Principal | undefined): Promise<{ id: string; purged: true }> {
    const thread = await this.get(id);
    assertMayManage(thread, by);
    if (!thread.deletedAt) throw conflict('not_in_trash', `Thread ${id} is not in the trash: delete it first`);
    await this.store.purge(id);
    return { id, purged: true };
  }

  private async purgeOld(nowMs: number): Promise<void> {
    for (const id of await this.store.trashedBefore(nowMs - CHAT_TRASH_MS)) await this.store.purge(id);
  }

  /** Stores the message, runs it, stores the reply; both are `chat.message` events. */
  async post(id: string, body: PostMessageBody, by: Principal | undefined): Promise<PostMessageResult> {
    const thread = await this.live(id, by);
    const author = ownerOf(by);
    const state = await this.store.state(id);
    const user = await this.store.append(thread, this.message(id, 'user', body.text, { ...(author ? { author } : {}), ...(body.inputImage ? { inputImage: body.inputImage } : {}) }));
    const outcome = await this.runner.run(thread, state, body, by);
    if (outcome.target) await this.store.setTarget(id, outcome.target);
    if (outcome.site) await this.store.setSite(id, outcome.site);
    const reply = await this.store.append(thread, this.message(id, 'assistant', outcome.reply.text, outcome.reply.card ? { card: outcome.reply.card } : {}));
    if (!state.titled && outcome.prompt) await this.store.rename(id, titleFrom(outcome.prompt), true);
    return { thread: (await this.store.get(id)) ?? thread, messages: [user, reply] };
  }

  private message(threadId: string, role: ChatMessage['role'], text: string, extra: Partial<ChatMessage>): Omit<ChatMessage, 'seq'> {
    return { id: randomUUID(), threadId, role, text, createdAt: this.now().toISOString(), ...extra };
  }
}

function parseMessageCursor(text: string): { dir: 'after' | 'before'; seq: number } {
  const m = /^([ab])([0-9]{1,12})$/.exec(text);
  if (!m) throw badRequest('invalid_cursor', 'The cursor is not one this server made; start again without ?cursor=');
  return { dir: m[1] === 'a' ? 'after' : 'before', seq: Number(m[2]) };
}

/** A member changes only their own threads; an admin anyone's (no principal: an internal caller). */
function assertMayManage(thread: ChatThread, by: Principal | undefined): void {
  if (by && !mayManage(by, thread.owner)) {
    throw forbidden(`Thread ${thread.id} is ${thread.owner ? `${thread.owner}'s` : 'not yours'}: only its owner or an admin may change it`);
  }
}

