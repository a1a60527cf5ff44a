import Type, { type Static, type TSchema } from 'typebox';
import { ERROR_CODE_NAMES } from './error-codes.js';

/** Every error the API returns: `{error, message, details?}`, never a stack trace. */
export const ApiError = Type.Object({
  error: Type.Enum(ERROR_CODE_NAMES, { description: 'machine-readable code (shared/src/error-codes.ts gives each its one HTTP status), e.g. not_found, validation_failed' }),
  message: Type.String({ description: 'written for the person reading it' }),
  details: Type.Optional(Type.Unknown()),
});
export type ApiError = Static<typeof ApiError>;

export function Page<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Optional(Type.String({ description: 'pass as ?cursor= for the next page' })),
  });
}
export interface PageOf<T> {
  items: T[];
  nextCursor?: string;
}
