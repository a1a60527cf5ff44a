import Type, { type Static } from 'typebox';
import { Job, PROVIDERS, QueuePlace } from './jobs.js';
import { JobPriorityLevel } from './priority.js';

/*
 * Agents are what a user can switch off and on: each provider (comfyui, flux, v0) and each ComfyUI
 * backend. Off drains: the running job finishes, no new one starts. The queue view lists the waiting
 * jobs in the order they will start, each with the reason it waits.
 */

export const AGENT_KINDS = ['provider', 'backend'] as const;

/** A job a backend's owner holds: running on the GPU, queued in ComfyUI's own queue behind it, or being stopped. */
export const INFLIGHT_PHASES = ['running', 'pipelined', 'stopping'] as const;
export type InflightPhase = (typeof INFLIGHT_PHASES)[number];

export const InflightJob = Type.Object({ jobId: Type.String(), phase: Type.Enum(INFLIGHT_PHASES) });
export type InflightJob = Static<typeof InflightJob>;

export const Agent = Type.Object({
  name: Type.String({ description: 'provider name, or backend id such as comfyui-1' }),
  kind: Type.Enum(AGENT_KINDS),
  provider: Type.Enum(PROVIDERS),
  enabled: Type.Boolean({ description: 'false: switched off (draining while busy)' }),
  online: Type.Boolean({ description: 'backend: answers and has an owner; provider: some live worker can run its jobs' }),
  busy: Type.Boolean(),
  draining: Type.Boolean({ description: 'switched off but still finishing its running job' }),
  currentJob: Type.Optional(Type.String()),
  /** Backend: the model of the last prompt it was given (what is loaded on its GPU). */
  loadedModel: Type.Optional(Type.String()),
  /** Backend: the worker process that drives it. */
  owner: Type.Optional(Type.String()),
  /** Backend: the jobs its owner holds, in submission order to ComfyUI. */
  inflight: Type.Optional(Type.Array(InflightJob)),
  url: Type.Optional(Type.String({ description: 'backend URL, credentials removed' })),
  /** Why it is offline or idle, in words. */
  message: Type.Optional(Type.String()),
  queue: Type.Object({
    waiting: Type.Integer({ minimum: 0, description: 'provider: its waiting jobs; backend: those it could run' }),
    running: Type.Integer({ minimum: 0 }),
  }),
});
export type Agent = Static<typeof Agent>;

export const AgentList = Type.Object({ agents: Type.Array(Agent) });
export type AgentList = Static<typeof AgentList>;

/** An agent's name in a URL: a provider, or a backend id. */
export const AgentName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' });

export const QueueEntry = Type.Object({ job: Job, place: QueuePlace });
export type QueueEntry = Static<typeof QueueEntry>;

/** GET /api/queue: waiting jobs in start order (every provider, merged by level and submission). */
export const QueueView = Type.Object({
  items: Type.Array(QueueEntry),
  /** Waiting jobs in all (items may be fewer: `limit`). */
  total: Type.Integer({ minimum: 0 }),
  byProvider: Type.Record(Type.String(), Type.Object({ waiting: Type.Integer({ minimum: 0 }), running: Type.Integer({ minimum: 0 }) })),
});
export type QueueView = Static<typeof QueueView>;

/** PATCH /api/jobs/:id */
export const JobPatch = Type.Object({ priority: JobPriorityLevel }, { additionalProperties: false });
export type JobPatch = Static<typeof JobPatch>;

/** What a backend's owner publishes about it (expiring; read by the server for agents and the queue view). */
export const BackendRuntime = Type.Object({
  id: Type.String(),
  owner: Type.String(),
  loadedModel: Type.Optional(Type.String()),
  inflight: Type.Array(InflightJob),
  /** The owner is handing the backend to another worker (rebalancing) once its jobs end. */
  releasing: Type.Boolean(),
  updatedAt: Type.String(),
});
export type BackendRuntime = Static<typeof BackendRuntime>;

/** What a live worker process serves (expiring; shown in health and agents). */
export const WorkerInfo = Type.Object({
  id: Type.String(),
  /** Providers it can run: comfyui when it has backends, flux/v0 when their keys are set. */
  providers: Type.Array(Type.Enum(PROVIDERS)),
  /** Backends it owns now. */
  backends: Type.Array(Type.String()),
  /** Where its outputs go: the server's own disk (shared), the server's storage API, the bucket (STORAGE=s3), or not known yet. */
  storage: Type.Optional(Type.Enum(['shared disk', 'uploads to server', 'object storage', 'undecided'])),
  startedAt: Type.String(),
});
export type WorkerInfo = Static<typeof WorkerInfo>;
