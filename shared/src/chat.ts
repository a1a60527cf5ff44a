import Type, { type Static } from 'typebox';
import { Agent } from './agents.js';
import { JOB_KINDS, PROVIDERS } from './jobs.js';
import { FLUX_INPUT_IMAGE_PATTERN } from './requests/flux.js';
import { Text } from './text.js';

/*
 * The chat's wire formats (`/api/chat/threads…` and the `chat.message` event): threads, their messages,
 * and the cards a reply carries (job cards, the agents table, help, a problem with the nearest valid
 * form). The grammar of what a user types is chat-grammar.ts; this file only says what travels.
 */

/** Messages kept per thread; older ones are dropped as new ones arrive. */
export const CHAT_MAX_MESSAGES = 10_000;
export const CHAT_TITLE_MAX = 200;
export const CHAT_TEXT_MAX = 20_000;
/** A thread's title until it is named (its first prompt names it, or a rename). */
export const CHAT_DEFAULT_TITLE = 'New thread';

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

export const ChatThreadId = Type.String({ pattern: UUID, description: 'thread id (lowercase UUID)' });
export const ChatThreadParams = Type.Object({ id: ChatThreadId }, { additionalProperties: false });

/**
 * What plain text in a thread is a prompt for: the provider and model of its last command, or the
 * form's selection for a new thread.
 */
export const ChatTarget = Type.Object(
  {
    provider: Type.Enum(PROVIDERS),
    kind: Type.Enum(JOB_KINDS),
    model: Type.Optional(Text({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false },
);
export type ChatTarget = Static<typeof ChatTarget>;

export const ChatThread = Type.Object({
  id: Type.String(),
  title: Type.String(),
  createdAt: Type.String(),
  /** The last message (or rename); threads list by it, newest first. */
  updatedAt: Type.String(),
  /** Team mode: who started it (members change only their own threads). Absent in local mode. */
  owner: Type.Optional(Type.String()),
  messageCount: Type.Integer({ minimum: 0, description: 'messages ever posted (the oldest may have been dropped past the cap)' }),
  jobCount: Type.Integer({ minimum: 0, description: 'jobs the thread queued; job #n in `/cancel n`' }),
  target: Type.Optional(ChatTarget),
  /** Set while the thread is in the trash. */
  deletedAt: Type.Optional(Type.String()),
});
export type ChatThread = Static<typeof ChatThread>;

/** A job a message queued, with its number in the thread (#n). */
export const ChatJobRef = Type.Object({ id: Type.String(), n: Type.Integer({ minimum: 1 }) });
export type ChatJobRef = Static<typeof ChatJobRef>;

export const CHAT_PROBLEM_CODES = [
  'empty',
  'unknown_command',
  'unknown_flag',
  'bad_flag_value',
  'flag_not_taken',
  'repeated_flag',
  'missing_argument',
  'unexpected_argument',
  'unclosed_quote',
  'unknown_model',
  'ambiguous_model',
  'no_target',
  'image_required',
  'image_not_taken',
  'invalid_request',
  'not_allowed',
  'not_found',
  'refused',
] as const;
export type ChatProblemCode = (typeof CHAT_PROBLEM_CODES)[number];

/** What a reply shows beside its text. */
export const ChatCard = Type.Union([
  Type.Object({
    type: Type.Literal('jobs'),
    jobs: Type.Array(ChatJobRef, { minItems: 1 }),
    provider: Type.Enum(PROVIDERS),
    kind: Type.Enum(JOB_KINDS),
    model: Type.Optional(Type.String()),
  }),
  Type.Object({ type: Type.Literal('agents'), detailed: Type.Boolean({ description: '`/agent-list ws`: with status columns' }), agents: Type.Array(Agent) }),
  Type.Object({ type: Type.Literal('agent'), agent: Agent }),
  Type.Object({ type: Type.Literal('help'), topic: Type.Optional(Type.String()) }),
  Type.Object({
    type: Type.Literal('problem'),
    code: Type.Enum(CHAT_PROBLEM_CODES),
    /** The nearest valid form of what was typed (to put back in the input), when there is one. */
    hint: Type.Optional(Type.String()),
    /** An ambiguous model: the names it could mean. */
    candidates: Type.Optional(Type.Array(Type.String())),
  }),
]);
export type ChatCard = Static<typeof ChatCard>;

export const CHAT_ROLES = ['user', 'assistant'] as const;

export const ChatMessage = Type.Object({
  id: Type.String(),
  threadId: Type.String(),
  /** 1, 2, 3… in the thread: the order, and what message pages are cut by. */
  seq: Type.Integer({ minimum: 1 }),
  role: Type.Enum(CHAT_ROLES),
  /** What was typed, or the reply in words (what an API client reads). */
  text: Type.String(),
  createdAt: Type.String(),
  /** Team mode: who typed a user message. */
  author: Type.Optional(Type.String()),
  /** The image attached to a user message (an upload or asset id). */
  inputImage: Type.Optional(Type.String()),
  card: Type.Optional(ChatCard),
});
export type ChatMessage = Static<typeof ChatMessage>;

// ---------------------------------------------------------------- requests and answers

/** POST /api/chat/threads (the body may be left out). */
export const CreateThreadBody = Type.Object({ title: Type.Optional(Text({ minLength: 1, maxLength: CHAT_TITLE_MAX })) }, { additionalProperties: false });
export type CreateThreadBody = Static<typeof CreateThreadBody>;

/** PATCH /api/chat/threads/:id */
export const RenameThreadBody = Type.Object({ title: Text({ minLength: 1, maxLength: CHAT_TITLE_MAX }) }, { additionalProperties: false });
export type RenameThreadBody = Static<typeof RenameThreadBody>;

/** POST /api/chat/threads/:id/messages */
export const PostMessageBody = Type.Object(
  {
    text: Text({ minLength: 1, maxLength: CHAT_TEXT_MAX, description: 'a slash command or a prompt for the thread’s target' }),
    inputImage: Type.Optional(Type.String({ pattern: FLUX_INPUT_IMAGE_PATTERN, description: 'an upload id or asset id: the attached image (/video, FLUX image prompt or kontext)' })),
    /** Used only while the thread has no target of its own (the form’s selection, for a new thread). */
    target: Type.Optional(ChatTarget),
  },
  { additionalProperties: false },
);
export type PostMessageBody = Static<typeof PostMessageBody>;

/** 201 to a posted message: the stored user message and what it produced, in order. */
export const PostMessageResult = Type.Object({ thread: ChatThread, messages: Type.Array(ChatMessage) });
export type PostMessageResult = Static<typeof PostMessageResult>;

export const ChatThreadPage = Type.Object({
  items: Type.Array(ChatThread),
  nextCursor: Type.Optional(Type.String({ description: 'pass as ?cursor= for the next (older) page' })),
});
export type ChatThreadPage = Static<typeof ChatThreadPage>;

/** Message cursors: `a<seq>` reads forward after seq, `b<seq>` reads back before it. */
export const CHAT_MESSAGE_CURSOR_PATTERN = '^[ab][0-9]{1,12}$';

export const ChatMessagePage = Type.Object({
  /** Oldest first. */
  items: Type.Array(ChatMessage),
  nextCursor: Type.Optional(Type.String({ description: 'newer messages follow: pass as ?cursor=' })),
  prevCursor: Type.Optional(Type.String({ description: 'older messages exist: pass as ?cursor=' })),
});
export type ChatMessagePage = Static<typeof ChatMessagePage>;

export const ChatThreadDeleted = Type.Object({ id: Type.String(), deletedAt: Type.String() });
export type ChatThreadDeleted = Static<typeof ChatThreadDeleted>;

// ---------------------------------------------------------------- the event

/** `chat.message` event data: a new message, a thread created or changed, or a thread moved to the trash. */
export const ChatEventData = Type.Union([
  Type.Object({ kind: Type.Literal('message'), threadId: Type.String(), message: ChatMessage }),
  Type.Object({ kind: Type.Literal('thread'), thread: ChatThread }),
  Type.Object({ kind: Type.Literal('thread.deleted'), threadId: Type.String(), deletedAt: Type.String() }),
]);
export type ChatEventData = Static<typeof ChatEventData>;
