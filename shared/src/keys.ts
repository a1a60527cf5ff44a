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
    /** JSON BackendModels: the model files one backend reports per folder (too big for BackendStatus). */
    backendModels: (id: string) => `${prefix}:backend-models:${id}`,
    backendLease: (id: string) => `${prefix}:backend-lease:${id}`,
    /** Sorted set of worker ids scored by their last heartbeat (ms). */
    workers: `${prefix}:workers`,
    /** The gallery record of one asset (layout and codec: gallery-record.ts). */
    asset: (id: string) => `${prefix}:gallery:x:a:${id}`,
    /** ZSET of asset slots scored by creation time (ms): the gallery's date order (gallery-index.ts). */
    assetsByTime: `${prefix}:gallery:x:time`,
    /** The gallery's secondary indexes (gallery-index.ts), all under this prefix. */
    gallery: galleryKeys(`${prefix}:gallery:`),
    /** Hash of model file path → JSON {size, mtimeMs, sha256}: valid while size and mtime match. */
    modelHashes: `${prefix}:model-hashes`,
    /** A cloud provider's task for one job (e.g. BFL id + polling_url), so a retried job resumes it. */
    cloudTask: (provider: string, jobId: string) => `${prefix}:cloud-task:${provider}:${jobId}`,
    /** Hash of custom workflow id → CustomWorkflow JSON. */
    workflows: `${prefix}:workflows`,
    /** Hash of custom workflow id → WorkflowSummary JSON (what the list shows, without the graph). */
    workflowSummaries: `${prefix}:workflow-summaries`,
    /** A counting semaphore (sorted set of holders scored by lease expiry, ms). */
    semaphore: (name: string) => `${prefix}:sem:${name}`,
    /** HASH: outputMark, uploadsMark, thumbsMark (what the server wrote into its folders), url and token of its storage API. */
    storage: `${prefix}:storage`,
    /** Team mode: users, sessions, API tokens, failed logins (server/src/auth). */
    auth: {
      /** HASH user name → JSON StoredUser (with its password hash). */
      users: `${prefix}:auth:users`,
      /** STRING JSON session, expiring: keyed by the SHA-256 of the session cookie. */
      session: (hash: string) => `${prefix}:auth:session:${hash}`,
      /** HASH SHA-256 of a token → JSON StoredToken. */
      tokens: `${prefix}:auth:tokens`,
      /** Counter of failed logins for one user name and address, expiring. */
      failures: (key: string) => `${prefix}:auth:failures:${key}`,
    },
    /** The scheduler's index, ownership and agents (schedule-store.ts, docs/scheduling.md). */
    sched: schedKeys(`${prefix}:sched:`),
    /** Chat threads and their messages (server/src/chat/chat-store.ts). */
    chat: chatKeys(`${prefix}:chat:`),
  };
}
export type RedisKeys = ReturnType<typeof redisKeys>;

/** The scheduler's keys (see docs/scheduling.md for what each holds and who writes it). */
function schedKeys(s: string) {
  return {
    /** ZSET job id → rank: the provider's waiting jobs in start order (one ticket per waiting job). */
    pending: (provider: string) => `${s}${provider}:pending`,
    /** ZSET job id → rank: the waiting jobs of one lane (one BullMQ queue: one model, or any). */
    lane: (provider: string, lane: string) => `${s}${provider}:lane:${lane}`,
    /** STRING claimer, short-lived: held from a claim in the lane to its take (one pop at a time per lane). */
    laneLock: (provider: string, lane: string) => `${s}${provider}:lane-lock:${lane}`,
    /** HASH lane → JSON {queue, model}: the lanes a provider has had. */
    lanes: (provider: string) => `${s}${provider}:lanes`,
    /** LIST of job ids in the order they were taken from their queue (capped): start order, for tests and benchmarks. */
    started: (provider: string) => `${s}${provider}:started`,
    /** HASH job id → JSON {provider, lane, queue, seq, model?}: fixed at submit, removed when the job ends. */
    meta: `${s}meta`,
    /** HASH job id → rank (the job's place; restored when it goes back to the queue). */
    rank: `${s}rank`,
    /** HASH job id → "claimer|ms": who claimed or took it (backend or cloud slot), from its claim to its end. */
    claims: `${s}claims`,
    /** HASH job id → ms when an idle backend first passed it over for a job of its loaded model. */
    passed: `${s}passed`,
    /** Counters: submission sequence, move-to-front sequence. */
    seq: `${s}seq`,
    front: `${s}front`,
    /** HASH agent name → "off" (absent: on). */
    agents: `${s}agents`,
    /** Pub/sub: "job <provider> <lane>" when a job is queued, "agents" when an agent is switched, "free" when a lane's lock goes. */
    wake: `${s}wake`,
    /** ZSET worker id → last beat (ms) of the workers that drive ComfyUI backends (they split them). */
    owners: `${s}owners`,
    /** STRING worker id, expiring: the one worker process that drives a backend. */
    owner: (backend: string) => `${s}owner:${backend}`,
    /** HASH job id → JSON InflightEntry: the jobs a backend's owner has taken (survives the owner). */
    inflight: (holder: string) => `${s}inflight:${holder}`,
    /** STRING JSON BackendRuntime, expiring: what the owner is doing with the backend now. */
    runtime: (backend: string) => `${s}runtime:${backend}`,
    /** STRING JSON WorkerInfo, expiring: what a live worker process serves. */
    worker: (id: string) => `${s}worker:${id}`,
    /** Held by the one server instance reconciling the index with BullMQ. */
    reconcileLock: `${s}reconcile-lock`,
  };
}
export type SchedKeys = ReturnType<typeof schedKeys>;

/** The chat's keys: one record, state hash, message hash and job hash per thread, and the thread indexes. */
function chatKeys(c: string) {
  return {
    /** STRING JSON {id, title, createdAt, owner?, deletedAt?}. */
    thread: (id: string) => `${c}thread:${id}`,
    /** HASH seq (last message), first (oldest kept), jobs (last job number), updatedAt, titled, target, lastBatch, site. */
    state: (id: string) => `${c}state:${id}`,
    /** HASH seq → ChatMessage JSON (the oldest dropped past the cap). */
    messages: (id: string) => `${c}messages:${id}`,
    /** HASH job number (#n) → job id. */
    jobs: (id: string) => `${c}jobs:${id}`,
    /** ZSET thread id → last activity (ms): the live threads, newest first. */
    threads: `${c}threads`,
    /** ZSET thread id → last activity (ms): one owner's live threads (team mode). */
    byOwner: (owner: string) => `${c}owner:${owner}`,
    /** ZSET thread id → when it was deleted (ms). */
    trash: `${c}trash`,
  };
}
export type ChatKeys = ReturnType<typeof chatKeys>;

/**
 * Gallery index keys (layout 2, see gallery-index.ts). The index proper lives under `<g>x:`; the Lua
 * scripts build the per-posting-list and per-bucket names from `index` themselves (they depend on the
 * record), so these builders must match them. The keys of the first layout (`<prefix>:asset:<id>`,
 * `<prefix>:assets`, `<g>sig`, `<g>terms:<id>`, …) are only ever deleted (gallery-layout.ts).
 */
function galleryKeys(g: string) {
  const x = `${g}x:`;
  return {
    prefix: g,
    /** Prefix of every key of the index itself (the scripts build the others from it). */
    index: x,
    /** ZSET slot → size in bytes. */
    bySize: `${x}size`,
    /** ZSET, all scores 0, members `<lowercased name>\0<slot>`: the name order. */
    names: `${x}names`,
    /** STRING: the asset id of each slot, 16 characters per slot. */
    slotIds: `${x}ids`,
    /** LIST of slots freed by removals (reused first), and the counter of slots ever handed out. */
    freeSlots: `${x}free`,
    slotCount: `${x}hwm`,
    /** A posting list (type, model, owner or word: `t:image`, `m:<model>`, `o:<user>`, `w:<word>`) moved up to a bitmap or a SET of slots (gallery-postings.ts). */
    postingBits: (name: string) => `${x}pb:${name}`,
    postingSet: (name: string) => `${x}ps:${name}`,
    /** ZSET, all scores 0: the indexed search words (prefix search). */
    words: `${x}words`,
    /** ZSET model name → number of assets. */
    models: `${x}models`,
    /** Incremented by every change; cached query results carry the value they were built at. */
    generation: `${x}gen`,
    /** A cached filter bitmap or ordered view, and the generation it was built at. */
    query: (hash: string) => `${x}q:${hash}`,
    queryGen: (hash: string) => `${x}qg:${hash}`,
    /** ZSET id → trashedAt (ms), and one JSON record per trashed asset. */
    trash: `${g}trash`,
    trashItem: (id: string) => `${g}trash:${id}`,
    /** Held by the one server instance running the startup rescan. */
    rescanLock: `${g}rescan-lock`,
  };
}
export type GalleryKeys = ReturnType<typeof galleryKeys>;

/** Keep about this many events; reconnecting clients can resume within this window. */
export const EVENT_STREAM_MAXLEN = 10000;
/** A worker whose heartbeat is older than this is not live. */
export const WORKER_HEARTBEAT_TTL_MS = 15000;
