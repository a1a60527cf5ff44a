/** Every Redis key and channel the processes share, in one place. */
export function redisKeys(prefix: string) {
  return {
    /** BullMQ's own key prefix (queues are named by provider). */
    bullPrefix: `${prefix}:bull`,
    job: (id: string) => `${prefix}:job:${id}`,
    /** Sorted set of job ids scored by creation time (ms). */
    jobsByTime: `${prefix}:jobs`,
    /** The capped stream every process appends events to. */
    events: `${prefix}:events`,
    /** Pub/sub channel: a job id to cancel; the worker holding it aborts. */
    cancelChannel: `${prefix}:cancel`,
    backend: (id: string) => `${prefix}:backend:${id}`,
    backendLease: (id: string) => `${prefix}:backend-lease:${id}`,
    /** Sorted set of worker ids scored by their last heartbeat (ms). */
    workers: `${prefix}:workers`,
    asset: (id: string) => `${prefix}:asset:${id}`,
    /** Sorted set of asset ids scored by creation time (ms). */
    assetsByTime: `${prefix}:assets`,
  };
}
export type RedisKeys = ReturnType<typeof redisKeys>;

/** Keep about this many events; reconnecting clients can resume within this window. */
export const EVENT_STREAM_MAXLEN = 10000;
/** A worker whose heartbeat is older than this is not live. */
export const WORKER_HEARTBEAT_TTL_MS = 15000;
