import Type from 'typebox';
import { ASSET_ID_PATTERN, ASSET_TYPES, JOB_PRIORITIES, MAX_SEED, Text, UpscaleParams, UserName } from '@orchestrator/shared';
import { GALLERY_SORTS } from '../gallery/gallery-query.js';
import { badRequest } from '../errors.js';
import { Cursor } from './schemas.js';

export const ASSET_PAGE_DEFAULT = 100;
export const MAX_BULK = 500;

const AssetId = Type.String({ pattern: ASSET_ID_PATTERN, description: 'asset id (16 hex chars)' });
export const AssetIdParams = Type.Object({ id: AssetId }, { additionalProperties: false });

const Instant = Text({ minLength: 1, maxLength: 40, description: 'ISO 8601 date or date-time, or epoch milliseconds' });
const PageLimit = Type.Integer({ minimum: 1, maximum: 200, description: `page size (1-200, default ${ASSET_PAGE_DEFAULT})` });
const Offset = Type.Integer({ minimum: 0, maximum: 100_000_000, description: 'position of the first item (random access; instead of cursor)' });

export const AssetListQuerySchema = Type.Object(
  {
    limit: Type.Optional(PageLimit),
    cursor: Type.Optional(Cursor),
    offset: Type.Optional(Offset),
    type: Type.Optional(Type.Enum(ASSET_TYPES)),
    model: Type.Optional(Text({ minLength: 1, maxLength: 512, description: 'exact model name (see GET /api/assets/models)' })),
    owner: Type.Optional({ ...UserName, description: 'team mode: only the assets this user\'s jobs made (e.g. your own name for "mine")' }),
    from: Type.Optional(Instant),
    to: Type.Optional(Instant),
    q: Type.Optional(
      Text({
        maxLength: 500,
        description:
          'words of the prompt, negative prompt, model or file name; all must match, the last one also as a prefix (unless the text ends with a space)',
      }),
    ),
    sort: Type.Optional(Type.Enum(GALLERY_SORTS, { description: 'date (default), name or size' })),
    order: Type.Optional(Type.Enum(['asc', 'desc'] as const, { description: 'default: desc for date and size, asc for name' })),
  },
  { additionalProperties: false },
);

export const TrashQuery = Type.Object({ limit: Type.Optional(PageLimit), cursor: Type.Optional(Cursor), offset: Type.Optional(Offset) }, { additionalProperties: false });

export const IdsBody = Type.Object({ ids: Type.Array(AssetId, { minItems: 1, maxItems: MAX_BULK }) }, { additionalProperties: false });

export const RegenerateBody = Type.Object(
  { seed: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: MAX_SEED }), Type.Literal('random')], { description: 'a seed, or "random"' })) },
  { additionalProperties: false },
);

/** POST /api/assets/:id/upscale: the upscale model (none: a lanczos resize) and factor, and the job's priority. */
export const UpscaleBody = Type.Object(
  { ...UpscaleParams.properties, priority: Type.Optional(Type.Enum(JOB_PRIORITIES)) },
  { additionalProperties: false },
);

/** `from`/`to` as epoch ms; 400 for anything that is not a date. */
export function parseInstant(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (/^\d{1,15}$/.test(text)) return Number(text);
  const ms = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : NaN;
  if (!Number.isFinite(ms)) throw badRequest('invalid_date', `\`${name}\` must be an ISO 8601 date or epoch milliseconds, got "${text}"`);
  return ms;
}
