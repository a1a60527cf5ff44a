import Type from 'typebox';
import { ApiError, Text } from '@orchestrator/shared';

/** Lowercase UUIDs only: newer ComfyUI accepts nothing else as a prompt_id. */
const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

export const JobIdParams = Type.Object({ id: Type.String({ pattern: UUID_PATTERN, description: 'job id (lowercase UUID)' }) }, { additionalProperties: false });

export const Limit = Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'page size (1-200, default 50)' });
export const Cursor = Text({ minLength: 1, maxLength: 200, description: 'nextCursor of the previous page' });
export const DEFAULT_LIMIT = 50;

export const PageQuery = Type.Object({ limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) }, { additionalProperties: false });

/** Error responses for the OpenAPI document; every error body has this shape. */
export function errorResponses(...codes: number[]): Record<number, typeof ApiError> {
  return Object.fromEntries(codes.map((c) => [c, ApiError]));
}
