/*
 * Small but structurally real media files for the gallery tests and the benchmark: PNGs built with
 * node:zlib (text chunks added with writePngText, the way ComfyUI/A1111/our worker do), JPEGs with an
 * EXIF UserComment, still and animated WebPs with ComfyUI's EXIF strings, GIFs.
 */
import { deflateSync } from 'node:zlib';
import { crc32, writePngText } from '@orchestrator/shared';

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out, 4, 8 + data.length), 8 + data.length);
  return out;
}

/** A valid RGB PNG of `w`×`h` grey pixels. */
export function minimalPng(w: number, h: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const raw = Buffer.alloc(h * (1 + 3 * w), 0x80);
  for (let y = 0; y < h; y++) raw[y * (1 + 3 * w)] = 0;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

export function pngWithText(w: number, h: number, text: Record<string, string>): Buffer {
  return Buffer.from(writePngText(minimalPng(w, h), text));
}

/** A PNG whose text chunk comes after the pixels (some tools write it there). */
export function pngWithLateText(w: number, h: number, key: string, value: string): Buffer {
  const png = minimalPng(w, h);
  const iend = png.length - 12;
  return Buffer.concat([png.subarray(0, iend), chunk('tEXt', Buffer.from(`${key}\0${value}`, 'latin1')), png.subarray(iend)]);
}

/** ComfyUI's default txt2img graph, as saved in a PNG's `prompt` chunk. */
export function comfyGraph(o: { prompt: string; negative?: string; seed?: number; steps?: number; model?: string; width?: number; height?: number }): object {
  return {
    '3': {
      class_type: 'KSampler',
      inputs: { seed: o.seed ?? 1, steps: o.steps ?? 20, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] },
    },
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: o.model ?? 'sd_xl_base_1.0.safetensors' } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: o.width ?? 512, height: o.height ?? 512, batch_size: 1 } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: o.prompt, clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: o.negative ?? '', clip: ['4', 1] } },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] } },
  };
}

export function a1111Infotext(o: { prompt: string; negative?: string; seed?: number; model?: string; w?: number; h?: number }): string {
  return `${o.prompt}\nNegative prompt: ${o.negative ?? 'blurry'}\nSteps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7, Seed: ${o.seed ?? 7}, Size: ${o.w ?? 512}x${o.h ?? 768}, Model: ${o.model ?? 'dreamshaper_8'}, Version: v1.10.1`;
}

/** Little-endian TIFF with ASCII tags in IFD0 and, optionally, an Exif IFD holding a UserComment. */
export function tiff(ascii: Array<[number, string]>, userComment?: string): Buffer {
  const entries: Array<{ tag: number; type: number; data: Buffer }> = ascii.map(([tag, text]) => ({ tag, type: 2, data: Buffer.from(`${text}\0`, 'utf8') }));
  const ifd0Count = entries.length + (userComment ? 1 : 0);
  const ifd0Size = 2 + ifd0Count * 12 + 4;
  const comment = userComment ? Buffer.concat([Buffer.from('UNICODE\0', 'latin1'), Buffer.from(userComment, 'utf16le').swap16()]) : null;
  const parts: Buffer[] = [];
  const header = Buffer.alloc(8 + ifd0Size);
  header.write('II', 0, 'latin1');
  header.writeUInt16LE(42, 2);
  header.writeUInt32LE(8, 4);
  header.writeUInt16LE(ifd0Count, 8);
  let dataAt = 8 + ifd0Size;
  const exifIfdSize = 2 + 12 + 4;
  entries.forEach((e, i) => {
    const at = 10 + i * 12;
    header.writeUInt16LE(e.tag, at);
    header.writeUInt16LE(e.type, at + 2);
    header.writeUInt32LE(e.data.length, at + 4);
    header.writeUInt32LE(dataAt, at + 8);
    parts.push(e.data);
    dataAt += e.data.length;
  });
  if (comment) {
    const at = 10 + entries.length * 12;
    header.writeUInt16LE(0x8769, at);
    header.writeUInt16LE(4, at + 2);
    header.writeUInt32LE(1, at + 4);
    header.writeUInt32LE(dataAt, at + 8);
    const exif = Buffer.alloc(exifIfdSize);
    exif.writeUInt16LE(1, 0);
    exif.writeUInt16LE(0x9286, 2);
    exif.writeUInt16LE(7, 4);
    exif.writeUInt32LE(comment.length, 6);
    exif.writeUInt32LE(dataAt + exifIfdSize, 10);
    parts.push(exif, comment);
  }
  return Buffer.concat([header, ...parts]);
}

/** A baseline JPEG header (the scan data is a stub: enough for every header reader). */
export function jpeg(w: number, h: number, o: { userComment?: string; comment?: string } = {}): Buffer {
  const seg = (marker: number, data: Buffer) => {
    const head = Buffer.from([0xff, marker, 0, 0]);
    head.writeUInt16BE(data.length + 2, 2);
    return Buffer.concat([head, data]);
  };
  const parts = [Buffer.from([0xff, 0xd8]), seg(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1'))];
  if (o.userComment) parts.push(seg(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff([], o.userComment)])));
  if (o.comment) parts.push(seg(0xfe, Buffer.from(o.comment, 'utf8')));
  const sof = Buffer.from([8, 0, 0, 0, 0, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]);
  sof.writeUInt16BE(h, 1);
  sof.writeUInt16BE(w, 3);
  parts.push(seg(0xc0, sof), seg(0xda, Buffer.from([1, 1, 0, 0, 0x3f, 0])), Buffer.alloc(16, 0x55), Buffer.from([0xff, 0xd9]));
  return Buffer.concat(parts);
}

function riff(tag: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(tag, 0, 'latin1');
  head.writeUInt32LE(data.length, 4);
  return Buffer.concat(data.length % 2 ? [head, data, Buffer.alloc(1)] : [head, data]);
}

/** A WebP: VP8X + VP8L frames (animated when frames > 1) + an EXIF block with ComfyUI-style strings. */
export function webp(w: number, h: number, o: { frames?: number; frameMs?: number; exif?: Array<[number, string]> } = {}): Buffer {
  const frames = o.frames ?? 1;
  const vp8x = Buffer.alloc(10);
  vp8x[0] = (frames > 1 ? 0x02 : 0) | (o.exif ? 0x08 : 0);
  vp8x.writeUIntLE(w - 1, 4, 3);
  vp8x.writeUIntLE(h - 1, 7, 3);
  const vp8l = Buffer.alloc(5 + 8);
  vp8l[0] = 0x2f;
  vp8l.writeUInt32LE(((w - 1) & 0x3fff) | (((h - 1) & 0x3fff) << 14), 1);
  const body: Buffer[] = [riff('VP8X', vp8x)];
  if (frames > 1) {
    body.push(riff('ANIM', Buffer.alloc(6)));
    for (let i = 0; i < frames; i++) {
      const hdr = Buffer.alloc(16);
      hdr.writeUIntLE(w - 1, 6, 3);
      hdr.writeUIntLE(h - 1, 9, 3);
      hdr.writeUIntLE(o.frameMs ?? 100, 12, 3);
      body.push(riff('ANMF', Buffer.concat([hdr, riff('VP8L', vp8l)])));
    }
  } else body.push(riff('VP8L', vp8l));
  if (o.exif) body.push(riff('EXIF', tiff(o.exif)));
  const payload = Buffer.concat(body);
  const head = Buffer.alloc(12);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(payload.length + 4, 4);
  head.write('WEBP', 8, 'latin1');
  return Buffer.concat([head, payload]);
}

/** A GIF header (+ loop block and two frame headers when animated). */
export function gif(w: number, h: number, animated = false): Buffer {
  const head = Buffer.alloc(13);
  head.write('GIF89a', 0, 'latin1');
  head.writeUInt16LE(w, 6);
  head.writeUInt16LE(h, 8);
  const gce = Buffer.from([0x21, 0xf9, 0x04, 0x00, 0x0a, 0x00, 0x00, 0x00]);
  const loop = Buffer.concat([Buffer.from([0x21, 0xff, 0x0b]), Buffer.from('NETSCAPE2.0', 'latin1'), Buffer.from([3, 1, 0, 0, 0])]);
  return Buffer.concat([head, ...(animated ? [loop, gce, gce] : [gce]), Buffer.from([0x3b])]);
}
