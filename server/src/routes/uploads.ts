import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import multipart from '@fastify/multipart';
import { MAX_INPUT_IMAGE_BYTES, MAX_INPUT_IMAGE_PIXELS, Upload } from '@orchestrator/shared';
import { HttpError, badRequest } from '../errors.js';
import { sendFile } from '../files/send-file.js';
import { sendObject, type ObjectFiles } from '../storage/object-files.js';
import { UploadStore, tooLarge, unsupportedType, type FilePart } from '../uploads/upload-store.js';
import { UPLOAD_ID_PATTERN } from '../uploads/upload-schema.js';
import { errorResponses } from './schemas.js';

/** Largest image we accept: the input limit every provider shares (an upload accepted is one any job can use). */
const UPLOAD_MAX_BYTES = MAX_INPUT_IMAGE_BYTES;
/** Room for the multipart envelope (boundaries, part headers, small fields) over the file itself. */
const ENVELOPE_BYTES = 64 * 1024;

const UploadIdParams = Type.Object({ id: Type.String({ pattern: UPLOAD_ID_PATTERN, description: 'upload id (lowercase UUID)' }) }, { additionalProperties: false });

export interface UploadRouteOptions {
  dataPath: string;
  /** STORAGE=s3: uploads are kept in the bucket's `uploads/` (so a worker on any machine reads them). */
  objects?: ObjectFiles | null;
  /** Lower limits than the shared ones (tests). */
  maxBytes?: number;
  maxPixels?: number;
}

/** Errors of the multipart parser, renamed to ours: none of them is the server's fault. */
function multipartError(err: unknown, maxBytes: number): unknown {
  if (err instanceof HttpError) return err;
  const code = (err as { code?: string }).code ?? '';
  if (code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge(maxBytes);
  if (code === 'FST_FILES_LIMIT') return badRequest('too_many_files', 'Send exactly one file, in the field "file"');
  if (code.startsWith('FST_')) return badRequest('invalid_multipart', `The multipart body was refused: ${(err as Error).message}`);
  if (/^E[A-Z]+$/.test(code)) return err; // the disk, not the client: 507 when it is full, else a real 500
  return badRequest('invalid_multipart', 'The multipart body is malformed or was cut short');
}

export const uploadRoutes: FastifyPluginAsyncTypebox<UploadRouteOptions> = async (app, opts) => {
  const maxBytes = Math.min(opts.maxBytes ?? UPLOAD_MAX_BYTES, UPLOAD_MAX_BYTES);
  const maxPixels = Math.min(opts.maxPixels ?? MAX_INPUT_IMAGE_PIXELS, MAX_INPUT_IMAGE_PIXELS);
  const store = new UploadStore(opts.dataPath, maxPixels, opts.objects?.uploads ?? null);
  await store.init();
  // Scoped to this plugin: only these routes parse multipart, with tight limits on everything but the file.
  await app.register(multipart, { limits: { fileSize: maxBytes, files: 2, fields: 10, fieldSize: 1024, parts: 12, headerPairs: 50 } });
  // Any other body type reaches the handler unread, which answers 415 with a hint.
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

  app.post(
    '/api/uploads',
    {
      schema: {
        tags: ['uploads'],
        summary: 'Upload one image (PNG, JPEG or WebP)',
        description:
          `multipart/form-data with one file in the field "file", at most ${maxBytes} bytes and ${maxPixels} pixels. The type is sniffed from ` +
          'the bytes and the header read by an image decoder: a file that is not really a PNG, JPEG or WebP is 415, one over the limits 413.',
        response: { 201: Upload, ...errorResponses(400, 413, 415, 507) },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) throw unsupportedType('Send the image as multipart/form-data with one field "file"');
      const declared = Number(request.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes + ENVELOPE_BYTES) throw tooLarge(maxBytes);
      let upload: Upload | undefined;
      try {
        for await (const part of request.parts()) {
          if (part.type !== 'file') continue;
          if (part.fieldname !== 'file' || upload) {
            part.file.resume();
            throw part.fieldname !== 'file'
              ? badRequest('unexpected_file_field', `Files go in the field "file", not "${part.fieldname.slice(0, 64)}"`)
              : badRequest('too_many_files', 'Send exactly one file, in the field "file"');
          }
          upload = await store.save(part as FilePart, maxBytes);
        }
      } catch (err) {
        if (upload) await store.remove(upload.id);
        throw multipartError(err, maxBytes);
      }
      if (!upload) throw badRequest('missing_file', 'No file: send the image in the multipart field "file"');
      return reply.code(201).send(upload);
    },
  );

  app.get(
    '/api/uploads/:id',
    {
      schema: {
        tags: ['uploads'],
        summary: 'The uploaded file, with the type sniffed when it arrived',
        params: UploadIdParams,
        response: errorResponses(400, 403, 404, 416),
      },
    },
    async (request, reply) => {
      if (opts.objects) {
        const { rel, record } = await store.object(request.params.id);
        return sendObject(request, reply, opts.objects, opts.objects.uploads, rel, { mediaType: record.type, downloadName: `${record.id}` });
      }
      const { path, record } = await store.file(request.params.id);
      return sendFile(request, reply, path, { mediaType: record.type, downloadName: `${record.id}` });
    },
  );

  app.get(
    '/api/uploads/:id/meta',
    { schema: { tags: ['uploads'], summary: 'What was recorded about an upload', params: UploadIdParams, response: { 200: Upload, ...errorResponses(400, 404) } } },
    async (request) => store.get(request.params.id),
  );
};
