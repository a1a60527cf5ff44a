import { describe, expect, it } from 'vitest';
import { SLUG_MAX, claimOutputRelPath, jobIdFragment, outputExt, outputFileName, outputRelPath, promptSlug, type OutputNameParts, type OutputNameProbe } from './output-names.js';

const JOB = '3f9a1c2e-7b4d-4e21-9c3a-0f1e2d3c4b5a';
const base: OutputNameParts = { createdAt: '2025-06-01T23:59:58.000Z', jobId: JOB, prompt: 'A lighthouse at dusk', seed: 42, index: 1, count: 1, ext: '.png' };

/** What Windows refuses in a name: reserved characters, control characters, a trailing dot or space, device names. */
function windowsSafe(name: string): boolean {
  if (/[<>:"/\\|?*]/.test(name) || [...name].some((c) => c.charCodeAt(0) < 32) || /[. ]$/.test(name)) return false;
  const stem = name.split('.')[0]!.trim().toUpperCase();
  return !/^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])$/.test(stem);
}

describe('promptSlug', () => {
  it('keeps lowercase ASCII words joined by dashes', () => {
    expect(promptSlug('A Lighthouse at DUSK, 35mm (film grain:1.2)')).toBe('a-lighthouse-at-dusk-35mm-film-grain-1-2');
  });

  it('folds accents and letters NFKD keeps whole; apostrophes join their word', () => {
    expect(promptSlug('Café crème brûlée, Straße, smørrebrød, Łódź, Ærø')).toBe('cafe-creme-brulee-strasse-smorrebrod-lodz-aero');
    expect(promptSlug("a fox's den")).toBe('a-foxs-den');
    expect(promptSlug('ＦＵＬＬＷＩＤＴＨ ｆｏｘ')).toBe('fullwidth-fox'); // NFKD folds compatibility forms
  });

  it('is empty when nothing Latin is left (the caller falls back)', () => {
    expect(promptSlug('')).toBe('');
    expect(promptSlug(undefined)).toBe('');
    expect(promptSlug('灯台 夕暮れ 🌅')).toBe('');
    expect(promptSlug('   ...!!!   ')).toBe('');
  });

  it(`stops at ${SLUG_MAX} characters on a word boundary, and cuts a single longer word`, () => {
    const long = promptSlug('the quick brown fox jumps over the lazy dog '.repeat(20));
    expect(long.length).toBeLessThanOrEqual(SLUG_MAX);
    expect(long).toBe('the-quick-brown-fox-jumps-over-the-lazy-dog-the');
    expect(promptSlug('x'.repeat(500))).toBe('x'.repeat(SLUG_MAX));
  });

  it('never lets a path through: separators, dots and drive letters become word breaks', () => {
    expect(promptSlug('../../etc/passwd')).toBe('etc-passwd');
    expect(promptSlug('C:\\Windows\\System32 <con> | nul?')).toBe('c-windows-system32-con-nul');
    expect(promptSlug('.hidden')).toBe('hidden');
  });
});

describe('outputFileName / outputRelPath', () => {
  it('is <date>_<prompt-slug>_<seed>_<job> with the real extension, in the folder of the job\'s day', () => {
    expect(outputFileName(base)).toBe('2025-06-01_a-lighthouse-at-dusk_42_3f9a1c2e.png');
    expect(outputRelPath({ ...base, ext: '.WEBP' })).toBe('2025-06-01/2025-06-01_a-lighthouse-at-dusk_42_3f9a1c2e.webp');
    expect(outputFileName({ ...base, ext: '.mp4' })).toMatch(/\.mp4$/);
  });

  it('takes the day from the job, not from when the output is saved (a retry after midnight writes the same path)', () => {
    const first = outputRelPath(base);
    expect(outputRelPath({ ...base, createdAt: new Date('2025-06-01T23:59:58.000Z') })).toBe(first);
    expect(first.startsWith('2025-06-01/')).toBe(true);
  });

  it('is the same for a retry of the same job, different for two jobs with the same prompt and seed', () => {
    expect(outputFileName({ ...base })).toBe(outputFileName(base));
    const other = outputFileName({ ...base, jobId: '9d0e4b7a-1c2f-4a3b-8e5d-6f7a8b9c0d1e' });
    expect(other).not.toBe(outputFileName(base));
    expect(other).toBe('2025-06-01_a-lighthouse-at-dusk_42_9d0e4b7a.png');
  });

  it('numbers the outputs of a job that has several', () => {
    const names = [1, 2, 3].map((index) => outputFileName({ ...base, index, count: 3 }));
    expect(names).toEqual(['_1', '_2', '_3'].map((n) => `2025-06-01_a-lighthouse-at-dusk_42_3f9a1c2e${n}.png`));
    expect(new Set(names).size).toBe(3);
  });

  it('falls back to a word for an empty or non-Latin prompt, and leaves out a seed it does not have', () => {
    expect(outputFileName({ ...base, prompt: '', fallback: 'image' })).toBe('2025-06-01_image_42_3f9a1c2e.png');
    expect(outputFileName({ ...base, prompt: '夕暮れの灯台', fallback: 'video', ext: '.webp' })).toBe('2025-06-01_video_42_3f9a1c2e.webp');
    expect(outputFileName({ ...base, prompt: undefined })).toBe('2025-06-01_output_42_3f9a1c2e.png');
    expect(outputFileName({ ...base, seed: undefined })).toBe('2025-06-01_a-lighthouse-at-dusk_3f9a1c2e.png');
    expect(outputFileName({ ...base, seed: 2 ** 64 })).toBe('2025-06-01_a-lighthouse-at-dusk_18446744073709551616_3f9a1c2e.png');
    expect(outputFileName({ ...base, seed: 1e300 })).toBe('2025-06-01_a-lighthouse-at-dusk_3f9a1c2e.png'); // no seed any sampler uses
  });

  it('is portable whatever the prompt: no Windows device name, no reserved character, short, lowercase ASCII', () => {
    const prompts = ['CON', 'nul', 'com1', 'LPT9', 'aux.txt', 'a/b\\c:d*e?f"g<h>i|j', '..', ' trailing dot. ', '\u0000\u0001x', 'é'.repeat(300), '🙂'.repeat(100)];
    for (const prompt of prompts) {
      const name = outputFileName({ ...base, prompt, fallback: 'image' });
      expect(windowsSafe(name), `${JSON.stringify(prompt)} → ${name}`).toBe(true);
      expect(name).toMatch(/^[a-z0-9_-]+\.[a-z0-9]+$/);
      expect(name.length).toBeLessThanOrEqual(120);
    }
    expect(outputFileName({ ...base, prompt: 'CON' })).toBe('2025-06-01_con_42_3f9a1c2e.png');
  });

  it('refuses odd extensions and odd job ids rather than writing them into a name', () => {
    expect(outputExt('.PNG')).toBe('.png');
    expect(outputExt('.png/../x')).toBe('.bin');
    expect(outputExt('')).toBe('.bin');
    expect(jobIdFragment('NOT-A-UUID')).toBe('ad000000'); // its hex digits, padded
    expect(jobIdFragment(JOB.toUpperCase())).toBe('3f9a1c2e');
  });
});

describe('claimOutputRelPath (collisions)', () => {
  /** An output store in memory: path → bytes. */
  function probe(files: Record<string, string>): OutputNameProbe {
    return {
      read: async (rel) => (rel in files ? new TextEncoder().encode(files[rel]) : null),
      size: async (rel) => (rel in files ? files[rel]!.length : null),
    };
  }
  const short = outputRelPath(base);
  const sidecarOf = (jobId: string) => JSON.stringify({ version: 1, createdAt: '2025-06-01T23:59:59.000Z', meta: { jobId, prompt: 'x' } });
  // Another job of the same day, prompt and seed whose id begins with the same 8 hex digits.
  const twin = '3f9a1c2e-0000-4000-8000-00000000beef';

  it('takes the short name when nothing is there', async () => {
    expect(await claimOutputRelPath(probe({}), base)).toBe(short);
  });

  it('rewrites the files of an earlier attempt of the same job (its sidecar, with or without the file)', async () => {
    expect(await claimOutputRelPath(probe({ [`${short}.json`]: sidecarOf(JOB), [short]: 'png' }), base)).toBe(short);
    expect(await claimOutputRelPath(probe({ [`${short}.json`]: sidecarOf(JOB) }), base)).toBe(short); // cut short after the sidecar
  });

  it("uses the whole job id when the short name is another job's, or a file without a sidecar; the same again on a retry", async () => {
    const taken = probe({ [`${short}.json`]: sidecarOf(JOB), [short]: 'png' });
    const long = await claimOutputRelPath(taken, { ...base, jobId: twin });
    expect(long).toBe('2025-06-01/2025-06-01_a-lighthouse-at-dusk_42_3f9a1c2e00004000800000000000beef.png');
    expect(await claimOutputRelPath(taken, { ...base, jobId: twin })).toBe(long);
    expect(await claimOutputRelPath(probe({ [short]: 'someone else' }), base)).toBe(outputRelPath({ ...base, wholeJobId: true }));
    expect(await claimOutputRelPath(probe({ [`${short}.json`]: 'not json', [short]: 'png' }), base)).toBe(outputRelPath({ ...base, wholeJobId: true }));
    expect(outputFileName({ ...base, wholeJobId: true }).length).toBeLessThanOrEqual(120);
  });
});
