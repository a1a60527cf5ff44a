import { describe, expect, it } from 'vitest';
import { NUL_MESSAGE, QueuedJobData, Text, checked, findNul, type JobRequest } from './browser.js';

/* NUL in text: the shared string schema refuses it, so a worker checking a job on dequeue does too. */

describe('Text', () => {
  const text = checked(Text({ maxLength: 10 }));

  it('takes any text without NUL: tabs, newlines, emoji, right-to-left marks, lone surrogates', () => {
    for (const ok of ['', 'a b', 'a\tb\nc', '🚀 ünï', '\u202eabc', '\ud800']) expect(text.check(ok), JSON.stringify(ok)).toBe(true);
  });

  it('refuses NUL anywhere, saying so', () => {
    for (const bad of ['\u0000', 'a\u0000', '\u0000a', 'a\u0000b']) expect(text.check(bad)).toBe(false);
    expect(text.errors('a\u0000b')).toEqual([{ path: '/', message: NUL_MESSAGE }]);
  });

  it('keeps the other limits it is given', () => {
    expect(text.check('x'.repeat(11))).toBe(false);
  });
});

describe('a queued job carrying NUL (a worker older or newer than the server checks it again)', () => {
  const job = checked(QueuedJobData);
  const cases: [string, JobRequest, string][] = [
    ['a ComfyUI prompt', { provider: 'comfyui', kind: 'image', prompt: 'a\u0000b' }, '/request/prompt'],
    ['a LoRA name', { provider: 'comfyui', kind: 'image', prompt: 'p', params: { loras: [{ name: 'x\u0000.safetensors', strength: 1 }] } }, '/request/params/loras/0/name'],
    ['a FLUX prompt', { provider: 'flux', kind: 'image', prompt: 'a\u0000b' }, '/request/prompt'],
    ['a v0 system prompt', { provider: 'v0', kind: 'site', prompt: 'p', systemPrompt: '\u0000' }, '/request/systemPrompt'],
  ];
  it.each(cases)('refuses %s, naming the field', (_what, request, path) => {
    const data = { id: '00000000-0000-4000-8000-000000000000', request };
    expect(job.check(data)).toBe(false);
    expect(job.errors(data, 32)).toContainEqual({ path, message: NUL_MESSAGE });
  });
});

describe('findNul', () => {
  it('finds NUL in keys and values at any depth, and names where', () => {
    expect(findNul({ a: [1, 'x', { b: 'c\u0000' }] })).toBe('/a/2/b');
    expect(findNul({ ['k\u0000']: 1 })).toBe('/k\\u0000');
    expect(findNul('\u0000')).toBe('/');
    expect(findNul({ a: ['x', 2, null, true], b: { c: 'd' } })).toBeNull();
  });
});
