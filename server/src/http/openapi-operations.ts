/*
 * The operationId of every documented route, in one table keyed by "METHOD /path" as the route is
 * registered (Fastify's `:param` and `*`). Generated clients name their functions after these, so they
 * are part of the API: renaming one breaks every client made from the document.
 *
 * Adding a route? Add its line here (or set `operationId` in its schema, which wins). openapi.test.ts
 * names every documented operation without an id, and every line here that matches no route.
 */
export const OPERATION_IDS: Readonly<Record<string, string>> = {
  // jobs
  'POST /api/jobs': 'submitJob',
  'GET /api/jobs': 'listJobs',
  'POST /api/jobs/validate': 'validateJob',
  'GET /api/jobs/:id': 'getJob',
  'DELETE /api/jobs/:id': 'cancelJob',
  'PATCH /api/jobs/:id': 'setJobPriority',
  'POST /api/jobs/:id/retry': 'retryJob',
  'POST /api/jobs/:id/move-to-front': 'moveJobToFront',
  'GET /api/queue': 'getQueue',
  // events
  'GET /api/ws': 'openEventSocket',
  'GET /api/jobs/stream': 'streamEvents',
  // agents
  'GET /api/agents': 'listAgents',
  'POST /api/agents/:name/:state': 'switchAgent',
  // assets
  'GET /api/assets': 'listAssets',
  'GET /api/assets/models': 'listAssetModels',
  'GET /api/assets/:id': 'getAsset',
  'DELETE /api/assets/:id': 'trashAsset',
  'POST /api/assets/delete': 'trashAssets',
  'POST /api/assets/restore': 'restoreAssets',
  'POST /api/assets/:id/regenerate': 'regenerateAsset',
  'POST /api/assets/:id/upscale': 'upscaleAsset',
  'GET /api/assets/:id/file': 'getAssetFile',
  'GET /api/assets/:id/thumb': 'getAssetThumb',
  'GET /api/assets/download': 'downloadAssets',
  'POST /api/assets/download': 'downloadAssetSelection',
  'GET /api/assets/trash': 'listTrash',
  'DELETE /api/assets/trash': 'emptyTrash',
  'DELETE /api/assets/trash/:id': 'purgeTrashedAsset',
  'GET /api/assets/trash/:id/thumb': 'getTrashedAssetThumb',
  // models, backends, health
  'GET /api/models': 'listModels',
  'GET /api/models/:id': 'getModel',
  'GET /api/backends': 'listBackends',
  'GET /api/health': 'getHealth',
  'GET /metrics': 'getMetrics',
  // the read-only ComfyUI proxy
  'GET /api/comfyui/:backendId/system_stats': 'getComfyuiSystemStats',
  'GET /api/comfyui/:backendId/object_info': 'getComfyuiObjectInfo',
  'GET /api/comfyui/:backendId/object_info/:node': 'getComfyuiNodeInfo',
  'GET /api/comfyui/:backendId/queue': 'getComfyuiQueue',
  'GET /api/comfyui/:backendId/history/:promptId': 'getComfyuiHistory',
  // uploads
  'POST /api/uploads': 'uploadImage',
  'GET /api/uploads/:id': 'getUploadFile',
  'GET /api/uploads/:id/meta': 'getUpload',
  // workflows
  'POST /api/workflows/import': 'importWorkflow',
  'GET /api/workflows': 'listWorkflows',
  'POST /api/workflows': 'createWorkflow',
  'GET /api/workflows/:id': 'getWorkflow',
  'PATCH /api/workflows/:id': 'updateWorkflow',
  'DELETE /api/workflows/:id': 'deleteWorkflow',
  // sites
  'GET /api/sites/chats': 'listV0Chats',
  'POST /api/sites/import': 'importSite',
  'POST /api/sites/:assetId/messages': 'sendSiteMessage',
  'GET /api/sites/:assetId': 'getSite',
  'GET /api/sites/:assetId/versions/:versionId/files': 'listSiteFiles',
  'GET /api/sites/:assetId/versions/:versionId/files/*': 'getSiteFile',
  'GET /api/sites/:assetId/preview': 'getSitePreview',
  'POST /api/sites/:assetId/design-edits': 'applySiteDesignEdits',
  'POST /api/sites/:assetId/deploy': 'deploySite',
  // chat
  'POST /api/chat/threads': 'createChatThread',
  'GET /api/chat/threads': 'listChatThreads',
  'GET /api/chat/threads/:id': 'getChatThread',
  'PATCH /api/chat/threads/:id': 'renameChatThread',
  'DELETE /api/chat/threads/:id': 'trashChatThread',
  'POST /api/chat/threads/:id/restore': 'restoreChatThread',
  'GET /api/chat/trash': 'listChatTrash',
  'DELETE /api/chat/trash/:id': 'purgeChatThread',
  'GET /api/chat/threads/:id/messages': 'listChatMessages',
  'POST /api/chat/threads/:id/messages': 'postChatMessage',
  // auth (team mode)
  'POST /api/auth/login': 'login',
  'POST /api/auth/logout': 'logout',
  'GET /api/auth/me': 'getMe',
  'GET /api/tokens': 'listTokens',
  'POST /api/tokens': 'createToken',
  'DELETE /api/tokens/:id': 'revokeToken',
  'GET /api/users': 'listUsers',
  'POST /api/users': 'createUser',
  'PATCH /api/users/:name': 'updateUser',
  'DELETE /api/users/:name': 'deleteUser',
  // storage (workers on other machines)
  'GET /api/storage/:root/file': 'getStoredFile',
  'GET /api/storage/:root/list': 'listStoredFiles',
  'PUT /api/storage/output/file': 'putOutputFile',
  'DELETE /api/storage/output/file': 'deleteOutputFile',
  'PUT /api/storage/output/thumb': 'putOutputThumb',
  'PUT /api/storage/output/dir': 'putOutputDir',
  // legacy aliases of the earlier version
  'GET /api/canvas/list': 'legacyListCanvas',
  'GET /api/canvas/image/:filename': 'legacyGetCanvasImage',
  'GET /api/models/list': 'legacyListModels',
  'GET /api/models/info/:name': 'legacyGetModelInfo',
  'GET /api/comfyui/status': 'legacyGetComfyuiStatus',
  'GET /api/selfcheck': 'legacySelfcheck',
  'POST /api/v0': 'legacyCreateSite',
  'POST /api/v0/apply': 'legacyApplySiteChange',
  'GET /api/v0/artifact': 'legacyGetSiteArtifact',
};

/** The table's key of a route: its method and URL exactly as registered. */
export function operationKey(method: string, url: string): string {
  return `${method.toUpperCase()} ${url}`;
}
