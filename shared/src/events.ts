import Type, { type Static } from 'typebox';
import { Job } from './jobs.js';
import { Asset } from './assets.js';
import { BackendStatus } from './backends.js';
import type { Agent } from './agents.js';
import type { ChatEventData } from './chat.js';

export const EVENT_TYPES = [
  'job.queued',
  'job.started',
  'job.progress',
  'job.preview',
  'job.completed',
  'job.failed',
  'job.cancelled',
  'asset.added',
  'asset.updated',
  'asset.removed',
  'backend.status',
  'agent.status',
  'chat.message',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const JobPreview = Type.Object({ jobId: Type.String(), dataUrl: Type.String() });
export type JobPreview = Static<typeof JobPreview>;

/** Event payload by type: the job, asset or backend exactly as the REST routes return it. */
export interface EventDataMap {
  'job.queued': Job;
  'job.started': Job;
  'job.progress': Job;
  'job.preview': JobPreview;
  'job.completed': Job;
  'job.failed': Job;
  'job.cancelled': Job;
  /** Once per asset: its record appeared in the gallery index. */
  'asset.added': Asset;
  /** What a client shows of a known asset changed (a site's new version, metadata read from the file). */
  'asset.updated': Asset;
  'asset.removed': { id: string };
  'backend.status': BackendStatus;
  /** An agent (provider or backend) was switched off or on. */
  'agent.status': Agent;
  /** A chat message was added, or a thread created, renamed, restored or moved to the trash. */
  'chat.message': ChatEventData;
}

export type EventOf<T extends EventType> = { id: string; type: T; at: string; data: EventDataMap[T] };
export type AppEvent = { [T in EventType]: EventOf<T> }[EventType];
/** An event before the stream has given it an id. */
export type NewEvent = { [T in EventType]: { type: T; data: EventDataMap[T] } }[EventType];

export const AppEventSchema = Type.Object({
  id: Type.String({ description: 'Redis stream id; send it back as Last-Event-ID or ?since= to resume' }),
  type: Type.Enum(EVENT_TYPES),
  at: Type.String(),
  data: Type.Unknown(),
});

export function isJobEvent(e: AppEvent): e is Extract<AppEvent, { data: Job }> {
  return e.type.startsWith('job.') && e.type !== 'job.preview';
}

/** Stream ids look like `1700000000000-0`. */
export const STREAM_ID_PATTERN = '^[0-9]{1,16}-[0-9]{1,16}$';
export function isStreamId(value: string): boolean {
  return new RegExp(STREAM_ID_PATTERN).test(value);
}
