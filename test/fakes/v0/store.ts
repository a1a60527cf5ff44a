// In-memory chats, messages and versions, and the generation lifecycle: a new version is "pending" for
// `pendingPolls` reads of its chat (or until `generationMs` passes, polled or not), then "completed" or "failed";
// or it is stopped (chats.stop) and ends "failed" at once. While it runs, its assistant message is a placeholder
// without a finishReason (the spec's async mode "returns a message placeholder immediately").
import { randomBytes } from 'node:crypto';
import { attachmentFileName, parseAttachment } from './attachments.js';
import { type FileEntry, generateFiles, titleOf } from './site.js';

export type VersionStatus = 'pending' | 'completed' | 'failed';

export interface Message {
  id: string;
  chatId: string;
  role: 'user' | 'assistant';
  type: 'message' | 'fix-with-v0';
  content: string;
  createdAt: string;
  updatedAt?: string;
  finishReason?: 'stop' | 'error' | 'other';
  authorId: string | null;
  parentId: string | null;
  attachments?: { url: string }[];
}

export interface Version {
  id: string;
  chatId: string;
  status: VersionStatus;
  createdAt: string;
  updatedAt?: string;
  files: FileEntry[];
  prompts: string[]; // the user prompts this version answers (first + follow-ups)
  /** Per prompt, where the demo finds its attachments: the URL given, or `/attachments/<file>` for a data URI. */
  pictures: string[][];
}

/** A generation request as the fake received it (chats.create or chats.sendMessage), oldest first. */
export interface ReceivedMessage {
  chatId: string;
  message: string;
  attachments: { url: string }[];
  at: number;
}

interface Generation {
  version: Version;
  userMessageId: string;
  /** The assistant message being written; it gets its content and finishReason when the generation ends. */
  assistantMessageId: string;
  reads: number;
  pendingPolls: number;
  deadline: number;
  outcome: 'completed' | 'failed';
}

export interface Chat {
  id: string;
  seq: number;
  name: string;
  text: string;
  privacy: string;
  createdAt: string;
  updatedAt: string;
  favorite: boolean;
  projectId?: string;
  metadata: Record<string, string>;
  modelConfiguration: { modelId: string; imageGenerations: boolean; thinking: boolean };
  messages: Message[];
  versions: Version[]; // oldest first
  pending?: Generation;
}

/** A Vercel deployment of a version (deployments.create). */
export interface Deployment {
  id: string;
  chatId: string;
  versionId: string;
  projectId: string;
  createdAt: string;
}

export interface V0Stats {
  requests: number;
  chatsCreated: number;
  messagesSent: number;
  polls: number;
  /** Generations ended by chats.stop. */
  stopped: number;
  readonly inFlight: number;
  maxInFlight: number;
}

export interface GenerationRequest {
  message: string;
  attachments?: { url: string }[];
  action?: { type: 'fix-with-v0' };
  outcome: 'completed' | 'failed';
  pendingPolls: number;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export function newId(len = 11): string {
  return Array.from(randomBytes(len), (b) => ALPHABET[b % ALPHABET.length]).join('');
}

export class Store {
  readonly chats = new Map<string, Chat>();
  readonly deployments = new Map<string, Deployment>();
  /** Data-URI attachments, by served file name (`/attachments/<name>` on the demo host). */
  readonly attachmentFiles = new Map<string, { mime: string; bytes: Buffer }>();
  readonly received: ReceivedMessage[] = [];
  readonly stats: V0Stats;
  readonly userId = `u_${newId(10)}`;
  private seq = 0;

  constructor(private readonly opts: { generationMs: number; now: () => number }) {
    const inFlight = (): number => this.pendingCount();
    this.stats = {
      requests: 0,
      chatsCreated: 0,
      messagesSent: 0,
      polls: 0,
      stopped: 0,
      get inFlight(): number {
        return inFlight();
      },
      maxInFlight: 0,
    };
  }

  private iso(): string {
    return new Date(this.opts.now()).toISOString();
  }

  private pendingCount(): number {
    let n = 0;
    for (const c of this.chats.values()) if (this.settle(c).pending) n++;
    return n;
  }

  /** Finishes a generation whose time is up, even if nobody polled it. */
  settle(chat: Chat): Chat {
    if (chat.pending && this.opts.now() >= chat.pending.deadline) this.finish(chat);
    return chat;
  }

  /** One poll-like read of a chat: counts it, and finishes the generation after `pendingPolls` pending reads. */
  read(chat: Chat): Chat {
    this.stats.polls++;
    this.settle(chat);
    const g = chat.pending;
    if (g && ++g.reads > g.pendingPolls) this.finish(chat);
    return chat;
  }

  finish(chat: Chat): void {
    const g = chat.pending;
    if (!g) return;
    const v = g.version;
    if (g.outcome === 'completed') v.files = generateFiles(v.prompts, v.pictures);
    const content =
      g.outcome === 'completed'
        ? `I've built "${titleOf(v.prompts[0] ?? '')}" with ${v.files.length} files. (simulated by the v0 protocol fake)`
        : 'An error occurred while generating this version. (simulated)';
    this.end(chat, g.outcome, content, g.outcome === 'completed' ? 'stop' : 'error');
  }

  /** The assistant message still being generated in this chat, if any. */
  inFlightMessageId(chat: Chat): string | undefined {
    return this.settle(chat).pending?.assistantMessageId;
  }

  /**
   * chats.stop: ends the running generation now. The spec does not say how a stopped generation reads
   * afterwards; the fake's choice is version "failed" (no files, no demoUrl) and finishReason "other"
   * ("stop" would read as a normal finish), so a poller never sees it complete.
   */
  stop(chat: Chat): void {
    if (!chat.pending) return;
    this.stats.stopped++;
    this.end(chat, 'failed', 'The generation was stopped. (simulated)', 'other');
  }

  private end(chat: Chat, status: 'completed' | 'failed', content: string, finishReason: NonNullable<Message['finishReason']>): void {
    const g = chat.pending!;
    const at = this.iso();
    g.version.status = status;
    g.version.updatedAt = at;
    const answer = chat.messages.find((m) => m.id === g.assistantMessageId);
    if (answer) Object.assign(answer, { content, finishReason, updatedAt: at });
    chat.updatedAt = at;
    delete chat.pending;
  }

  private startGeneration(chat: Chat, req: GenerationRequest): Message {
    const at = this.iso();
    const last = chat.messages[chat.messages.length - 1];
    const user: Message = {
      id: newId(),
      chatId: chat.id,
      role: 'user',
      type: req.action ? 'fix-with-v0' : 'message',
      content: req.message,
      createdAt: at,
      authorId: this.userId,
      parentId: last?.id ?? null,
      ...(req.attachments ? { attachments: req.attachments } : {}),
    };
    const answer: Message = { id: newId(), chatId: chat.id, role: 'assistant', type: 'message', content: '', createdAt: at, authorId: null, parentId: user.id };
    chat.messages.push(user, answer);
    this.received.push({ chatId: chat.id, message: req.message, attachments: req.attachments ?? [], at: this.opts.now() });
    const previous = chat.versions[chat.versions.length - 1];
    const prompts = [...(previous?.prompts ?? []), req.message];
    const pictures = [...(previous?.pictures ?? []), (req.attachments ?? []).map((a) => this.keepAttachment(a.url))];
    const version: Version = { id: newId(), chatId: chat.id, status: 'pending', createdAt: at, files: [], prompts, pictures };
    chat.versions.push(version);
    chat.pending = { version, userMessageId: user.id, assistantMessageId: answer.id, reads: 0, pendingPolls: req.pendingPolls, deadline: this.opts.now() + this.opts.generationMs, outcome: req.outcome };
    chat.updatedAt = at;
    this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.stats.inFlight);
    return user;
  }

  /** Where the demo finds an attachment: a URL as given; a data URI is kept and served at /attachments/<file>. */
  private keepAttachment(url: string): string {
    const a = parseAttachment(url);
    if (typeof a === 'string' || a.kind === 'url') return url;
    const name = attachmentFileName(newId(12), a.mime);
    this.attachmentFiles.set(name, { mime: a.mime, bytes: a.bytes });
    return `/attachments/${name}`;
  }

  createChat(req: GenerationRequest & { privacy: string; projectId?: string; metadata: Record<string, string>; modelConfiguration: Chat['modelConfiguration'] }): Chat {
    const at = this.iso();
    const chat: Chat = {
      id: newId(),
      seq: ++this.seq,
      name: titleOf(req.message),
      text: req.message,
      privacy: req.privacy,
      createdAt: at,
      updatedAt: at,
      favorite: false,
      metadata: req.metadata,
      modelConfiguration: req.modelConfiguration,
      messages: [],
      versions: [],
      ...(req.projectId !== undefined ? { projectId: req.projectId } : {}),
    };
    this.chats.set(chat.id, chat);
    this.stats.chatsCreated++;
    this.startGeneration(chat, req);
    return chat;
  }

  sendMessage(chat: Chat, req: GenerationRequest): Message {
    this.stats.messagesSent++;
    return this.startGeneration(chat, req);
  }

  /** Newest first (creation order), as the list endpoint returns them. */
  list(): Chat[] {
    return [...this.chats.values()].sort((a, b) => b.seq - a.seq).map((c) => this.settle(c));
  }
}
