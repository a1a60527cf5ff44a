import Type, { type Static } from 'typebox';
import { Asset } from './assets.js';
import { JOB_STATUSES } from './jobs.js';
import { V0SiteManifest, V0SiteVersion } from './requests/v0.js';
import { WorkflowSummary } from './workflows.js';

/*
 * The REST answers that are not a record of their own (a job, an asset, a model…): acknowledgements,
 * pages and bulk results. The server's routes reply with these schemas and the web reads their
 * `Static<>` types, so the two cannot drift (a hand-written copy of the cancel answer once blanked the
 * page). Browser-safe: typebox only.
 */

/** 202 to anything that queues a job: POST /api/jobs, a retry, a regenerate, a site change or import. */
export const JobAccepted = Type.Object({
  id: Type.String(),
  status: Type.Enum(JOB_STATUSES),
  retryOf: Type.Optional(Type.String({ description: 'the job this one retries' })),
});
export type JobAccepted = Static<typeof JobAccepted>;

/**
 * DELETE /api/jobs/:id. Not a Job: a queued job is removed and answered 200 `cancelled`; a running one
 * is signalled to its worker and answered 202 `running` with `cancelRequested` (its `job.cancelled`
 * event follows once the worker has stopped it).
 */
export const CancelResponse = Type.Object({
  id: Type.String(),
  /** The job reads cancelled at once, running or not. */
  status: Type.Literal('cancelled'),
  cancelRequested: Type.Boolean({ description: 'true when the worker holding the job was told to stop it on its backend' }),
});
export type CancelResponse = Static<typeof CancelResponse>;

/** POST /api/jobs/validate (a 422 `invalid_workflow` comes as an ApiError). */
export const ValidateResponse = Type.Object({
  ok: Type.Literal(true),
  checked: Type.Boolean({ description: 'false when no online backend answered /object_info: nothing was checked' }),
});
export type ValidateResponse = Static<typeof ValidateResponse>;

/** GET /api/assets: one page of a gallery view. */
export const AssetPage = Type.Object({
  items: Type.Array(Asset),
  nextCursor: Type.Optional(Type.String({ description: 'pass as ?cursor= for the next page' })),
  total: Type.Integer({ description: 'how many assets match (for a scrollbar)' }),
});
export type AssetPage = Static<typeof AssetPage>;

export const TrashedAsset = Type.Object({ id: Type.String(), trashedAt: Type.String(), asset: Asset });
export type TrashedAsset = Static<typeof TrashedAsset>;

/** GET /api/assets/trash. */
export const TrashPage = Type.Object({
  items: Type.Array(TrashedAsset),
  nextCursor: Type.Optional(Type.String()),
  total: Type.Integer(),
});
export type TrashPage = Static<typeof TrashPage>;

/** DELETE /api/assets/trash/:id: the trashed asset's file is gone for good. */
export const TrashPurged = Type.Object({ id: Type.String(), purged: Type.Literal(true) });
export type TrashPurged = Static<typeof TrashPurged>;

/** DELETE /api/assets/trash: everything that was in the trash when asked is gone for good (or, with `limit`, one batch of it). */
export const TrashEmptied = Type.Object({
  purged: Type.Integer({ minimum: 0, description: 'how many trashed assets were deleted' }),
  before: Type.Optional(Type.Integer({ minimum: 0, description: 'with `limit`: the cutoff (ms since the epoch) this batch used; pass it back for the next batch' })),
  done: Type.Optional(Type.Boolean({ description: 'with `limit`: nothing trashed before the cutoff is left for this caller to delete' })),
});
export type TrashEmptied = Static<typeof TrashEmptied>;

/** DELETE /api/assets/trash query: batches for a page that shows progress (without `limit`: everything at once). */
export const EmptyTrashQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'delete at most this many, oldest first' })),
    before: Type.Optional(Type.Integer({ minimum: 0, description: 'only what was trashed at or before this time (ms); default: now' })),
  },
  { additionalProperties: false },
);
export type EmptyTrashQuery = Static<typeof EmptyTrashQuery>;
/** Trash items one DELETE /api/assets/trash?limit= batch of the page deletes. */
export const EMPTY_TRASH_BATCH = 100;

export const ModelCount = Type.Object({ model: Type.String(), count: Type.Integer() });
export type ModelCount = Static<typeof ModelCount>;

/** GET /api/assets/models: the model names in the gallery, with counts (for the filter). */
export const ModelCounts = Type.Object({ items: Type.Array(ModelCount) });
export type ModelCounts = Static<typeof ModelCounts>;

/** DELETE /api/assets/:id. */
export const AssetTrashed = Type.Object({ id: Type.String(), trashed: Type.Literal(true) });
export type AssetTrashed = Static<typeof AssetTrashed>;

/** POST /api/assets/delete. */
export const DeleteResult = Type.Object({
  deleted: Type.Array(Type.String()),
  missing: Type.Array(Type.String()),
  /** Team mode: someone else's assets, left alone (only their owner or an admin may move them). */
  forbidden: Type.Optional(Type.Array(Type.String())),
});
export type DeleteResult = Static<typeof DeleteResult>;

/** POST /api/assets/restore: an asset whose original path is taken again is listed under `conflicts`. */
export const RestoreResult = Type.Object({
  restored: Type.Array(Type.String()),
  missing: Type.Array(Type.String()),
  conflicts: Type.Array(Type.String()),
  /** Team mode: someone else's assets, left in the trash. */
  forbidden: Type.Optional(Type.Array(Type.String())),
});
export type RestoreResult = Static<typeof RestoreResult>;

/** POST /api/uploads (201), and what was recorded about an upload. */
export const Upload = Type.Object({
  id: Type.String({ description: 'lowercase UUID; pass as `inputImage` in a job request' }),
  type: Type.Union([Type.Literal('image/png'), Type.Literal('image/jpeg'), Type.Literal('image/webp')], {
    description: 'sniffed from the bytes, never taken from the file name or the client',
  }),
  size: Type.Integer({ description: 'bytes' }),
  width: Type.Integer(),
  height: Type.Integer(),
  url: Type.String({ description: 'GET it to read the file back' }),
  originalName: Type.Optional(Type.String({ description: 'the client’s file name, base name only; never used as a path' })),
  createdAt: Type.String(),
});
export type Upload = Static<typeof Upload>;

/** GET /api/sites/:assetId: the site's manifest with its asset id. */
export const SiteDetail = Type.Object({ assetId: Type.String(), ...V0SiteManifest.properties });
export type SiteDetail = Static<typeof SiteDetail>;

/** GET /api/sites/:assetId/versions/:versionId/files. */
export const SiteFileList = Type.Object({ assetId: Type.String(), chatId: Type.String(), version: V0SiteVersion });
export type SiteFileList = Static<typeof SiteFileList>;

/** One of the user's v0 chats, as GET /api/sites/chats lists them for import. */
export const V0ChatItem = Type.Object({
  id: Type.String(),
  name: Type.Optional(Type.String()),
  webUrl: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.Optional(Type.String()),
  latestVersion: Type.Optional(Type.Object({ id: Type.String(), status: Type.String(), demoUrl: Type.Optional(Type.String()) })),
  assetId: Type.String({ description: 'the site asset this chat is (or would be) imported as' }),
  imported: Type.Boolean(),
});
export type V0ChatItem = Static<typeof V0ChatItem>;

/** GET /api/sites/chats. */
export const V0ChatPage = Type.Object({
  items: Type.Array(V0ChatItem),
  nextOffset: Type.Optional(Type.Integer({ description: 'pass as ?offset= for the next page; absent on the last page (v0 gives no total)' })),
});
export type V0ChatPage = Static<typeof V0ChatPage>;

/** GET /api/workflows. */
export const WorkflowList = Type.Object({ items: Type.Array(WorkflowSummary) });
export type WorkflowList = Static<typeof WorkflowList>;

/** DELETE /api/workflows/:id. */
export const WorkflowDeleted = Type.Object({ id: Type.String(), deleted: Type.Literal(true) });
export type WorkflowDeleted = Static<typeof WorkflowDeleted>;
