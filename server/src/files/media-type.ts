/*
 * Content types we are willing to serve inline. Anything else goes out as an attachment of type
 * application/octet-stream: a file in OUTPUT_PATH must never run as HTML or script on our origin.
 */
export const INLINE_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/webp',
  'image/gif',
  'video/mp4',
  'video/webm',
]);

/** Media type from the first bytes of a file (magic numbers), or null when it is none we serve. */
export function sniffMediaType(head: Uint8Array): string | null {
  const at = (i: number, bytes: number[]) => bytes.every((b, k) => head[i + k] === b);
  const ascii = (i: number, text: string) => at(i, Array.from(text, (c) => c.charCodeAt(0)));
  if (at(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (at(0, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return 'image/gif';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'image/webp';
  if (ascii(4, 'ftyp')) return 'video/mp4';
  if (at(0, [0x1a, 0x45, 0xdf, 0xa3])) return 'video/webm';
  return null;
}
