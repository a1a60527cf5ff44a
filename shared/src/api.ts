import Type, { type Static, type TSchema } from 'typebox';

/** Every error the API returns: `{error, message, details?}`, never a stack trace. */
export const ApiError = Type.Object({
  error: Type.String({ description: 'machine-readable code, e.g. not_found, validation_failed' }),
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
