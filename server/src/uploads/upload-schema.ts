import Type, { type Static } from 'typebox';

/*
 * The wire shape of an upload. It lives beside the service until a second package needs it (the web's
 * img2img form): then it moves to shared/ like every other wire format.
 */
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

/** What is stored beside the file as `<id>.json` (the url is derived). */
export type UploadRecord = Omit<Upload, 'url'>;

export const UPLOAD_ID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
