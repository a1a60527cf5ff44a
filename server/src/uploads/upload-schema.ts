import type { Upload } from '@orchestrator/shared';

/* The wire shape of an upload is shared (shared/src/responses.ts: the web reads it too). */

/** What is stored beside the file as `<id>.json` (the url is derived). */
export type UploadRecord = Omit<Upload, 'url'>;

export const UPLOAD_ID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
