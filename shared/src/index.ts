// Everything the browser may use, plus the Redis-backed stores and scripts that only Node processes need.
export * from './browser.js';
export * from './store.js';
export * from './workflow-store.js';
export * from './gallery-index.js';
export * from './lua-script.js';
export * from './scheduling/lanes.js';
export * from './scheduling/schedule-store.js';
export * from './scheduling/job-enqueuer.js';
export * from './storage/file-store.js';
export * from './storage/disk-full.js';
export * from './storage/local-file-store.js';
export * from './storage/storage-mark.js';
