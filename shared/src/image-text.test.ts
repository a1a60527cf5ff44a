import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { imageFormatOf, readImageText, writeJpegComment } from './image-text.js';

const GRAPH = { '3': { class_type: 'KSampler', inputs: { seed: 5, steps: 20 } } };
const WORKFLOW = { nodes: [{ id: 3, type: 'KSampler' }], links: [] };
const INFOTEXT = 'a castle on a hill\nNegative prompt: fog\nSteps: 28, Sampler: DPM++ 2M, CFG scale: 7, Seed: 7, Size: 512x768, Model: dreamshaper_8';

const base = () => sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } });

/** The 8-byte charset code and UTF-16 text of an EXIF UserComment, as piexif (A1111) writes it: big-endian. */
function unicodeComment(text: string, littleEndian = false): Buffer {
  const body = Buffer.alloc(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    if (littleEndian) body.writeUInt16LE(text.charCodeAt(i), i * 2);
    else body.writeUInt16BE(text.charCodeAt(i), i * 2);
  }
  return Buffer.concat([Buffer.from('UNICODE\0', 'latin1'), body]);
}

/** A big-endian TIFF block whose IFD0 points at an Exif IFD holding one UserComment. */
function tiffWithUserComment(comment: Buffer): Buffer {
  const ifd0 = Buffer.alloc(2 + 12 + 4);
  ifd0.writeUInt16BE(1, 0);
  ifd0.writeUInt16BE(0x8769, 2); // Exif IFD pointer
  ifd0.writeUInt16BE(4, 4); // LONG
  ifd0.writeUInt32BE(1, 6);
  ifd0.writeUInt32BE(8 + ifd0.length, 10);
  const exif = Buffer.alloc(2 + 12 + 4);
  exif.writeUInt16BE(1, 0);
  exif.writeUInt16BE(0x9286, 2); // UserComment
  exif.writeUInt16BE(7, 4); // UNDEFINED
  exif.writeUInt32BE(comment.length, 6);
  exif.writeUInt32BE(8 + ifd0.length + exif.length, 10);
  return Buffer.concat([Buffer.from([0x4d, 0x4d, 0, 42, 0, 0, 0, 8]), ifd0, exif, comment]);
}

/** A JPEG with the given segments right after SOI, then a real image's own segments. */
async function jpegWith(...segments: Array<[marker: number, data: Buffer]>): Promise<Buffer> {
  const plain = await base().jpeg().toBuffer();
  const parts = segments.map(([marker, data]) => {
    const head = Buffer.from([0xff, marker, 0, 0]);
    head.writeUInt16BE(data.length + 2, 2);
    return Buffer.concat([head, data]);
  });
  return Buffer.concat([plain.subarray(0, 2), ...parts, plain.subarray(2)]);
}

describe('generation text of JPEG and WebP files', () => {
  it('reads A1111’s infotext from a JPEG’s EXIF UserComment (UNICODE, either byte order)', async () => {
    for (const le of [false, true]) {
      const jpeg = await jpegWith([0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiffWithUserComment(unicodeComment(INFOTEXT, le))])]);
      expect(readImageText(jpeg)).toEqual({ format: 'jpeg', text: { parameters: INFOTEXT }, damaged: false });
      expect((await sharp(jpeg).metadata()).width).toBe(8); // still a valid JPEG
    }
  });

  it('reads an ASCII UserComment as sharp/libexif writes it, in JPEG and WebP', async () => {
    const jpeg = await base().jpeg().withExif({ IFD2: { UserComment: INFOTEXT } }).toBuffer();
    expect(readImageText(jpeg).text).toEqual({ parameters: INFOTEXT });
    const webp = await base().webp().withExif({ IFD2: { UserComment: INFOTEXT } }).toBuffer();
    expect(readImageText(webp)).toEqual({ format: 'webp', text: { parameters: INFOTEXT }, damaged: false });
  });

  it('reads the infotext from a JPEG COM segment, as some tools write it', async () => {
    const jpeg = await jpegWith([0xfe, Buffer.from(INFOTEXT, 'utf8')]);
    expect(readImageText(jpeg).text).toEqual({ parameters: INFOTEXT });
  });

  it('reads ComfyUI’s prompt and workflow from a WebP’s EXIF Model and Make strings (SaveAnimatedWEBP)', async () => {
    const webp = await base()
      .webp()
      .withExif({ IFD0: { Model: `prompt:${JSON.stringify(GRAPH)}`, Make: `workflow:${JSON.stringify(WORKFLOW)}` } })
      .toBuffer();
    const read = readImageText(webp);
    expect(read.format).toBe('webp');
    expect(JSON.parse(read.text.prompt!)).toEqual(GRAPH);
    expect(JSON.parse(read.text.workflow!)).toEqual(WORKFLOW);
  });

  it('reads an animated WebP whose EXIF chunk comes after its frames', async () => {
    // VP8X (animation + EXIF flags), ANIM, two ANMF frames of ~64 KB each, then EXIF, as SaveAnimatedWEBP lays it out.
    const chunk = (type: string, data: Buffer) => {
      const head = Buffer.alloc(8);
      head.write(type, 0, 'latin1');
      head.writeUInt32LE(data.length, 4);
      return Buffer.concat([head, data, Buffer.alloc(data.length & 1)]);
    };
    const vp8x = Buffer.alloc(10);
    vp8x[0] = 0x02 | 0x08;
    const frame = Buffer.alloc(16 + 65_537, 7);
    const tiff = (await base().webp().withExif({ IFD0: { Model: `prompt:${JSON.stringify(GRAPH)}` } }).toBuffer()).toString('latin1');
    const exif = Buffer.from(tiff.slice(tiff.indexOf('II*\0')), 'latin1');
    const body = Buffer.concat([Buffer.from('WEBP'), chunk('VP8X', vp8x), chunk('ANIM', Buffer.alloc(6)), chunk('ANMF', frame), chunk('ANMF', frame), chunk('EXIF', exif)]);
    const size = Buffer.alloc(4);
    size.writeUInt32LE(body.length);
    const webp = Buffer.concat([Buffer.from('RIFF'), size, body]);
    const read = readImageText(webp);
    expect(read).toMatchObject({ format: 'webp', damaged: false });
    expect(JSON.parse(read.text.prompt!)).toEqual(GRAPH);
  });

  it('writes and reads back our own JPEG comment; the JPEG still decodes', async () => {
    const meta = { provider: 'flux', model: 'flux-dev', prompt: 'a fox — ünïcode', seed: 3 };
    const plain = await base().jpeg().withExif({ IFD0: { Software: 'x' } }).toBuffer();
    const tagged = writeJpegComment(plain, `orchestrator:${JSON.stringify(meta)}`);
    expect(JSON.parse(readImageText(tagged).text.orchestrator!)).toEqual(meta);
    expect(await sharp(tagged).metadata()).toMatchObject({ format: 'jpeg', width: 8, height: 8 });
    // After the APPn headers (EXIF stays where readers look for it).
    const com = tagged.indexOf(0xfe, 2);
    expect(tagged[com - 1]).toBe(0xff);
    expect(Buffer.from(tagged).indexOf('Exif')).toBeLessThan(com);
    // Not a JPEG, or too long for one segment: unchanged.
    const png = await base().png().toBuffer();
    expect(writeJpegComment(png, 'x')).toBe(png);
    expect(writeJpegComment(plain, 'x'.repeat(70_000))).toBe(plain);
  });

  it('tells the format by the bytes, never by a name', async () => {
    expect(imageFormatOf(await base().png().toBuffer())).toBe('png');
    expect(imageFormatOf(await base().jpeg().toBuffer())).toBe('jpeg');
    expect(imageFormatOf(await base().webp().toBuffer())).toBe('webp');
    expect(imageFormatOf(await base().gif().toBuffer())).toBeNull();
    expect(readImageText(new Uint8Array([1, 2, 3]))).toEqual({ format: null, text: {}, damaged: false });
  });

  it('never throws on damaged files: every truncation and a lying length give what came before, flagged', async () => {
    const files = [
      await jpegWith([0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiffWithUserComment(unicodeComment(INFOTEXT))])]),
      await base().webp().withExif({ IFD0: { Model: `prompt:${JSON.stringify(GRAPH)}` } }).toBuffer(),
    ];
    for (const file of files) {
      for (let n = 0; n <= file.length; n += 3) expect(() => readImageText(file.subarray(0, n))).not.toThrow();
    }
    // A JPEG cut inside its EXIF segment.
    const cut = readImageText(files[0]!.subarray(0, 60));
    expect(cut).toMatchObject({ format: 'jpeg', damaged: true, text: {} });
    // A WebP chunk that claims 4 GB.
    const lying = Buffer.from(files[1]!);
    lying.writeUInt32LE(0xfffffff0, 16);
    expect(readImageText(lying)).toMatchObject({ format: 'webp', damaged: true });
    // An EXIF block whose offsets point outside it: read as nothing, not as a crash.
    const badTiff = tiffWithUserComment(unicodeComment(INFOTEXT));
    badTiff.writeUInt32BE(0x7ffffff0, 4);
    expect(readImageText(await jpegWith([0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), badTiff])]))).toMatchObject({ damaged: false, text: {} });
  });
});
