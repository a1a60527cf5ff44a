import { describe, expect, it } from 'vitest';
import { CHAT_COMMAND_NAMES, CHAT_COMMANDS, CHAT_FLAG_NAMES, helpText, parseChat, parseJobRef, tokenizeChat, type ChatParse } from './chat-grammar.js';
import { buildChatRequests } from './chat-request.js';
import { matchModel } from './chat-models.js';
import { completeChat } from './chat-complete.js';

const ok = (p: ChatParse) => {
  if (!p.ok) throw new Error(`expected a parse, got ${p.problem.code}: ${p.problem.message}`);
  return p.parsed;
};
const bad = (p: ChatParse) => {
  if (p.ok) throw new Error('expected a problem');
  return p.problem;
};

describe('the chat tokenizer', () => {
  it('splits on any whitespace (tabs, newlines, no-break and ideographic spaces) and keeps positions', () => {
    const text = 'a\tb\nc\u00a0d\u3000e';
    expect(tokenizeChat(text).map((t) => [t.value, t.start, t.end])).toEqual([
      ['a', 0, 1],
      ['b', 2, 3],
      ['c', 4, 5],
      ['d', 6, 7],
      ['e', 8, 9],
    ]);
  });

  it('reads straight, curly and guillemet quotes, with escapes, and leaves an unclosed quote as text', () => {
    expect(tokenizeChat('"blurry, text" “smart one” «g m» \'single q\'').map((t) => t.value)).toEqual(['blurry, text', 'smart one', 'g m', 'single q']);
    expect(tokenizeChat('"say \\"hi\\""')[0]).toMatchObject({ value: 'say "hi"', quoted: true });
    expect(tokenizeChat('a 12" record')).toMatchObject([{ value: 'a' }, { value: '12"' }, { value: 'record' }]);
    expect(tokenizeChat('"unclosed words').map((t) => t.value)).toEqual(['"unclosed', 'words']);
  });
});

describe('every command parses, with its arguments', () => {
  it('/help with and without a topic (slash or not)', () => {
    expect(ok(parseChat('/help'))).toMatchObject({ command: 'help', args: [] });
    expect(ok(parseChat('/help apex-comfy'))).toMatchObject({ command: 'help', args: ['apex-comfy'] });
    expect(ok(parseChat('/help /v0'))).toMatchObject({ command: 'help', args: ['v0'] });
    expect(bad(parseChat('/help apex-comfi'))).toMatchObject({ code: 'unknown_command', hint: '/help apex-comfy' });
  });

  it('/agent-list [ws], /agent-on <name>, /agent-off <name>', () => {
    expect(ok(parseChat('/agent-list'))).toMatchObject({ command: 'agent-list', args: [] });
    expect(ok(parseChat('/agent-list ws'))).toMatchObject({ command: 'agent-list', args: ['ws'] });
    expect(bad(parseChat('/agent-list all'))).toMatchObject({ code: 'unexpected_argument', hint: '/agent-list ws' });
    expect(ok(parseChat('/agent-on comfyui-1'))).toMatchObject({ command: 'agent-on', args: ['comfyui-1'] });
    expect(ok(parseChat('/agent-off flux'))).toMatchObject({ command: 'agent-off', args: ['flux'] });
    expect(bad(parseChat('/agent-off'))).toMatchObject({ code: 'missing_argument', hint: '/agent-off <name>' });
    expect(bad(parseChat('/agent-on a b'))).toMatchObject({ code: 'unexpected_argument', hint: '/agent-on a' });
  });

  it('/apex-comfy <model> <prompt> [flags]', () => {
    const p = ok(parseChat('/apex-comfy sdxl a lighthouse at dusk --ar 16:9 --seed 7 --steps 30 --cfg 6.5 --neg "blurry, text" --sampler dpmpp_2m --n 4'));
    expect(p).toMatchObject({ command: 'apex-comfy', args: ['sdxl'], prompt: 'a lighthouse at dusk' });
    expect(p.flags).toEqual({ ar: '16:9', seed: 7, steps: 30, cfg: 6.5, neg: 'blurry, text', sampler: 'dpmpp_2m', n: 4 });
    expect(ok(parseChat('/apex-comfy "my model.safetensors" a cat')).args).toEqual(['my model.safetensors']);
    expect(bad(parseChat('/apex-comfy sdxl'))).toMatchObject({ code: 'missing_argument', hint: '/apex-comfy <model> <prompt> [flags]' });
    expect(bad(parseChat('/apex-comfy'))).toMatchObject({ code: 'missing_argument' });
  });

  it('/apex-flux <prompt> with --raw, --model and --size', () => {
    const p = ok(parseChat('/apex-flux a red fox --raw --model flux-dev --size 1216x832'));
    expect(p).toMatchObject({ command: 'apex-flux', prompt: 'a red fox', flags: { raw: true, model: 'flux-dev', size: { width: 1216, height: 832 } } });
    expect(bad(parseChat('/apex-flux --raw'))).toMatchObject({ code: 'missing_argument' });
  });

  it('/v0 <prompt>, /video [prompt], /cancel, /retry and /vary with a job number, #n or a job id', () => {
    expect(ok(parseChat('/v0 a landing page'))).toMatchObject({ command: 'v0', prompt: 'a landing page' });
    expect(ok(parseChat('/video'))).toMatchObject({ command: 'video', prompt: '' });
    expect(ok(parseChat('/video slow pan --frames 25 --fps 8'))).toMatchObject({ prompt: 'slow pan', flags: { frames: 25, fps: 8 } });
    expect(ok(parseChat('/cancel'))).toMatchObject({ command: 'cancel', args: [] });
    expect(ok(parseChat('/cancel 2')).args).toEqual(['2']);
    expect(ok(parseChat('/retry #3')).args).toEqual(['#3']);
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(ok(parseChat(`/vary ${id}`)).args).toEqual([id]);
    expect(bad(parseChat('/cancel last'))).toMatchObject({ code: 'bad_flag_value' });
    expect(parseJobRef('#12')).toEqual({ n: 12 });
    expect(parseJobRef(id.toUpperCase())).toEqual({ id });
    expect(parseJobRef('0')).toBeNull();
  });

  it('takes aliases and any case for commands and flags', () => {
    expect(ok(parseChat('/Apex-Flux a cat --AR 1:1'))).toMatchObject({ command: 'apex-flux', flags: { ar: '1:1' } });
    expect(ok(parseChat('/flux a cat --Raw'))).toMatchObject({ command: 'apex-flux', flags: { raw: true } });
    expect(ok(parseChat('/comfy sdxl a cat --no blurry'))).toMatchObject({ command: 'apex-comfy', flags: { neg: 'blurry' } });
    expect(ok(parseChat('/agents ws'))).toMatchObject({ command: 'agent-list' });
  });

  it('documents every command and flag in /help', () => {
    const text = helpText();
    for (const c of CHAT_COMMAND_NAMES) expect(text).toContain(CHAT_COMMANDS[c].usage);
    for (const f of CHAT_FLAG_NAMES) expect(text).toContain(`--${f}`);
    expect(helpText('apex-comfy')).toContain('--neg');
  });
});

describe('flags', () => {
  it('stand anywhere after the command; --neg takes the words up to the next flag', () => {
    const p = ok(parseChat('/apex-comfy sdxl --seed 7 a lighthouse --neg blurry, low quality --ar 3:2 at dusk'));
    expect(p.prompt).toBe('a lighthouse at dusk');
    expect(p.flags).toMatchObject({ seed: 7, neg: 'blurry, low quality', ar: '3:2' });
  });

  it('take --flag=value, em and en dashes (as phones autocorrect --), and × in sizes', () => {
    expect(ok(parseChat('/apex-flux a cat —ar 16:9 –seed 3 --size=1216×832')).flags).toMatchObject({ ar: '16:9', seed: 3, size: { width: 1216, height: 832 } });
  });

  it('keep the prompt as typed: unicode, emoji, inner line breaks, quotes and dashes that are not flags', () => {
    const p = ok(parseChat('/apex-flux un phare « breton » au crépuscule 🌅\nsecond line — a sign that says "OPEN" a--b --seed 1'));
    expect(p.prompt).toBe('un phare « breton » au crépuscule 🌅\nsecond line — a sign that says "OPEN" a--b');
    expect(ok(parseChat('/apex-flux 東京の夜景 --ar 9:16'))).toMatchObject({ prompt: '東京の夜景', flags: { ar: '9:16' } });
  });

  it('`--` alone ends the flags: the rest is prompt', () => {
    expect(ok(parseChat('/apex-flux a poster -- --seed is text here'))).toMatchObject({ prompt: 'a poster --seed is text here', flags: {} });
  });

  // Every flag with a command that takes it, a good value (and what it parses to) and a bad one.
  const FLAG_CASES: Record<(typeof CHAT_FLAG_NAMES)[number], { command: string; good: [string, unknown]; bad: string | null }> = {
    ar: { command: '/apex-flux a cat', good: ['21:9', '21:9'], bad: '16/9' },
    size: { command: '/apex-flux a cat', good: ['832x1216', { width: 832, height: 1216 }], bad: '832by1216' },
    seed: { command: '/apex-flux a cat', good: ['42', 42], bad: '-1' },
    steps: { command: '/apex-comfy sdxl a cat', good: ['+30', 30], bad: '3.5' },
    cfg: { command: '/apex-comfy sdxl a cat', good: ['6,5', 6.5], bad: 'high' },
    neg: { command: '/apex-comfy sdxl a cat', good: ['"blurry, text"', 'blurry, text'], bad: null },
    sampler: { command: '/apex-comfy sdxl a cat', good: ['dpmpp_2m', 'dpmpp_2m'], bad: null },
    raw: { command: '/apex-flux a cat', good: ['', true], bad: null },
    n: { command: '/apex-flux a cat', good: ['4', 4], bad: 'four' },
    model: { command: '/v0 a site', good: ['v0-max', 'v0-max'], bad: null },
    frames: { command: '/video', good: ['25', 25], bad: '2.5' },
    fps: { command: '/video', good: ['8', 8], bad: 'fast' },
  };

  it('parse every flag with a good value and refuse a bad one', () => {
    for (const name of CHAT_FLAG_NAMES) {
      const c = FLAG_CASES[name];
      const good = ok(parseChat(`${c.command} --${name}${c.good[0] ? ` ${c.good[0]}` : ''}`));
      expect(good.flags, name).toEqual({ [name]: c.good[1] });
      if (c.bad !== null) expect(bad(parseChat(`${c.command} --${name} ${c.bad}`)), name).toMatchObject({ code: 'bad_flag_value', message: expect.stringContaining(`--${name}`) });
      // A value-taking flag at the end with nothing after it names its form.
      if (name !== 'raw') expect(bad(parseChat(`${c.command} --${name}`)), name).toMatchObject({ code: 'bad_flag_value', message: expect.stringContaining('needs a value') });
    }
  });

  it('refuse a bad value with the flag and its form', () => {
    expect(bad(parseChat('/apex-comfy sdxl a cat --steps many'))).toMatchObject({ code: 'bad_flag_value', message: expect.stringContaining('--steps'), hint: '/apex-comfy <model> <prompt> [flags]' });
    expect(bad(parseChat('/apex-comfy sdxl a cat --ar wide'))).toMatchObject({ code: 'bad_flag_value', message: expect.stringContaining('16:9') });
    expect(bad(parseChat('/apex-comfy sdxl a cat --size 1024'))).toMatchObject({ code: 'bad_flag_value', message: expect.stringContaining('1216x832') });
    expect(bad(parseChat('/apex-comfy sdxl a cat --cfg'))).toMatchObject({ code: 'bad_flag_value', message: '--cfg needs a value: --cfg <x>' });
    expect(bad(parseChat('/apex-flux a cat --raw=yes'))).toMatchObject({ code: 'bad_flag_value' });
  });

  it('refuse an unknown flag naming the nearest one, with the corrected text', () => {
    const p = bad(parseChat('/apex-comfy sdxl a cat --stesp 30'));
    expect(p).toMatchObject({ code: 'unknown_flag', hint: '/apex-comfy sdxl a cat --steps 30' });
    expect(p.message).toContain('did you mean --steps?');
    expect(p.span).toEqual({ start: 23, end: 30 });
    expect(bad(parseChat('/apex-comfy sdxl a cat --zzz 1'))).toMatchObject({ code: 'unknown_flag', message: expect.stringContaining('flags here') });
  });

  it('refuse a flag the command does not take, and a repeated flag', () => {
    expect(bad(parseChat('/v0 a site --seed 3'))).toMatchObject({ code: 'flag_not_taken', message: expect.stringContaining('/v0 takes no --seed'), hint: '/v0 a site' });
    expect(bad(parseChat('/apex-comfy sdxl a cat --raw'))).toMatchObject({ code: 'flag_not_taken' });
    expect(bad(parseChat('/apex-flux a cat --seed 1 --seed 2'))).toMatchObject({ code: 'repeated_flag', hint: '/apex-flux a cat --seed 1' });
  });

  it('read plain text as a prompt for the target command, with its flags', () => {
    expect(ok(parseChat('a lighthouse --ar 16:9', { plainCommand: 'apex-comfy' }))).toMatchObject({ command: null, prompt: 'a lighthouse', args: [] });
    expect(bad(parseChat('a site --seed 3', { plainCommand: 'v0' }))).toMatchObject({ code: 'flag_not_taken', message: expect.stringContaining('a prompt for v0') });
    expect(bad(parseChat('--seed 3', { plainCommand: 'apex-flux' }))).toMatchObject({ code: 'missing_argument' });
    expect(bad(parseChat('   '))).toMatchObject({ code: 'empty' });
  });
});

describe('unknown commands', () => {
  it('name the nearest command and put it in the hint', () => {
    const p = bad(parseChat('/apex-comfi sdxl a cat'));
    expect(p.message).toContain('did you mean /apex-comfy?');
    expect(p.hint).toBe('/apex-comfy sdxl a cat');
    expect(bad(parseChat('/agent_of comfyui-1')).hint).toBe('/agent-off comfyui-1');
    expect(bad(parseChat('/ap a cat')).message).toContain('/apex-comfy or /apex-flux');
    expect(bad(parseChat('/xyzzy'))).toMatchObject({ code: 'unknown_command', hint: '/help' });
    expect(bad(parseChat('/'))).toMatchObject({ code: 'unknown_command', hint: '/help' });
  });

  it('marks the bad token for highlighting', () => {
    const p = parseChat('/apex-comfi sdxl');
    expect(p.tokens[0]).toEqual({ role: 'bad', start: 0, end: 11 });
    const good = parseChat('/apex-comfy sdxl a cat --seed 3');
    expect(good.tokens.map((t) => t.role)).toEqual(['command', 'arg', 'prompt', 'prompt', 'flag', 'value']);
  });
});

describe('flags become a job request checked by the REST schema', () => {
  const comfy = { provider: 'comfyui' as const, kind: 'image' as const, model: 'sd_xl_base_1.0.safetensors', family: 'sdxl' as const };
  const build = (text: string, target: Parameters<typeof buildChatRequests>[0], inputImage?: string) => {
    const p = ok(parseChat(text));
    return buildChatRequests(target, p.prompt, p.flags, p.spans, inputImage ? { inputImage } : {});
  };

  it('comfy: --ar from the family’s pixel count, --n jobs with seeds s, s+1…', () => {
    const r = build('/apex-comfy sdxl a cat --ar 16:9 --seed 7 --n 3 --neg "blurry"', comfy);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.requests).toHaveLength(3);
    expect(r.requests[0]).toMatchObject({ provider: 'comfyui', kind: 'image', model: comfy.model, prompt: 'a cat', negativePrompt: 'blurry', params: { width: 1344, height: 768, seed: 7 } });
    expect(r.requests.map((q) => (q.provider === 'comfyui' ? q.params?.seed : undefined))).toEqual([7, 8, 9]);
  });

  it('comfy: a value out of the schema’s range names the flag as typed', () => {
    const r = build('/apex-comfy sdxl a cat --steps 500', comfy);
    expect(r).toMatchObject({ ok: false, problem: { code: 'invalid_request', message: expect.stringMatching(/^--steps 500: /), span: { start: 23, end: 34 } } });
    expect(build('/apex-comfy sdxl a cat --size 5000x1000', comfy)).toMatchObject({ ok: false, problem: { message: expect.stringContaining('--size 5000x1000') } });
    expect(build('/apex-comfy sdxl a cat --n 9', comfy)).toMatchObject({ ok: false, problem: { code: 'bad_flag_value' } });
    expect(build('/apex-comfy sdxl a cat --ar 1:1 --size 512x512', comfy)).toMatchObject({ ok: false, problem: { message: 'Give --ar or --size, not both' } });
  });

  it('flux: --ar and --raw on ultra; --model by prefix; width/height for flux-dev; a flag the model does not take', () => {
    const ultra = build('/apex-flux a cat --ar 21:9 --raw', { provider: 'flux' });
    expect(ultra).toMatchObject({ ok: true, requests: [{ provider: 'flux', prompt: 'a cat', params: { aspectRatio: '21:9', raw: true } }] });
    const dev = build('/apex-flux a cat --model dev --ar 16:9 --steps 28 --cfg 3', { provider: 'flux' });
    expect(dev).toMatchObject({ ok: true, requests: [{ model: 'flux-dev', params: { width: 1376, height: 768, steps: 28, guidance: 3 } }] });
    expect(build('/apex-flux a cat --steps 20', { provider: 'flux' })).toMatchObject({ ok: false, problem: { code: 'flag_not_taken', message: expect.stringContaining('flux-pro-1.1-ultra does not take --steps') } });
    expect(build('/apex-flux a cat --model kontext', { provider: 'flux' })).toMatchObject({ ok: false, problem: { code: 'ambiguous_model', candidates: ['flux-kontext-pro', 'flux-kontext-max'] } });
    expect(build('/apex-flux a cat --ar 30:9', { provider: 'flux' })).toMatchObject({ ok: false, problem: { message: expect.stringContaining('--ar 30:9') } });
    expect(build('/apex-flux make it blue --model flux-kontext-pro', { provider: 'flux' })).toMatchObject({ ok: false, problem: { code: 'image_required' } });
    expect(build('/apex-flux make it blue --model flux-kontext-pro', { provider: 'flux' }, '0123456789abcdef')).toMatchObject({ ok: true });
  });

  it('video needs an image; v0 takes a model and no --n', () => {
    expect(build('/video', { provider: 'comfyui', kind: 'video' })).toMatchObject({ ok: false, problem: { code: 'image_required' } });
    expect(build('/video --frames 25', { provider: 'comfyui', kind: 'video' }, '0123456789abcdef')).toMatchObject({ ok: true, requests: [{ kind: 'video', inputImage: '0123456789abcdef', params: { frames: 25 } }] });
    expect(build('/v0 a site --model max', { provider: 'v0' })).toMatchObject({ ok: true, requests: [{ provider: 'v0', model: 'v0-max' }] });
  });
});

describe('model names as people say them', () => {
  const models = [
    { file: 'sd_xl_base_1.0.safetensors', folder: 'checkpoints', family: 'sdxl', name: 'SD XL Base 1.0' },
    { file: 'v1-5-pruned-emaonly.safetensors', folder: 'checkpoints', family: 'sd15' },
    { file: 'sdxl/juggernautXL_v9.safetensors', folder: 'checkpoints', family: 'sdxl' },
    { file: 'flux1-dev.safetensors', folder: 'diffusion_models', family: 'flux' },
  ];
  it('by exact name, prefix ignoring case and separators, friendly name, family or a word', () => {
    const one = (q: string) => {
      const m = matchModel(q, models);
      return m.kind === 'one' ? m.model.file : m.kind;
    };
    expect(one('sd_xl_base_1.0.safetensors')).toBe('sd_xl_base_1.0.safetensors');
    expect(one('SD_XL_BASE')).toBe('sd_xl_base_1.0.safetensors');
    expect(one('sd xl base 1.0')).toBe('sd_xl_base_1.0.safetensors');
    expect(one('juggernaut')).toBe('sdxl/juggernautXL_v9.safetensors');
    expect(one('sd15')).toBe('v1-5-pruned-emaonly.safetensors');
    expect(one('flux')).toBe('flux1-dev.safetensors');
    expect(one('emaonly')).toBe('v1-5-pruned-emaonly.safetensors');
    expect(matchModel('sdxl', models)).toMatchObject({ kind: 'many', candidates: [{ file: 'sd_xl_base_1.0.safetensors' }, { file: 'sdxl/juggernautXL_v9.safetensors' }] });
    expect(matchModel('sdxl', models.slice(0, 2))).toMatchObject({ kind: 'one' });
    expect(matchModel('jugernaut', models)).toMatchObject({ kind: 'none', nearest: [{ file: 'sdxl/juggernautXL_v9.safetensors' }] });
    expect(matchModel('   ', models)).toMatchObject({ kind: 'none' });
  });
});

describe('autocomplete', () => {
  const sources = { models: [{ file: 'sd_xl_base_1.0.safetensors', family: 'sdxl' }, { file: 'v1-5-pruned-emaonly.safetensors' }], agents: ['comfyui', 'flux', 'v0', 'comfyui-1'] };
  const at = (text: string, s = sources) => completeChat(text, text.length, s);
  it('offers commands after /, arguments, flags the command takes and their values', () => {
    expect(at('/ap')?.items.map((i) => i.label)).toEqual(['/apex-comfy', '/apex-flux']);
    expect(at('/ap')).toMatchObject({ from: 0, to: 3 });
    expect(at('/apex-comfy sd')?.items.map((i) => i.insert)).toEqual(['sd_xl_base_1.0.safetensors ']);
    expect(at('/agent-off comfyui')?.items.map((i) => i.label)).toEqual(['comfyui', 'comfyui-1']);
    expect(at('/apex-comfy sdxl a cat --s')?.items.map((i) => i.insert)).toEqual(['--size ', '--seed ', '--steps ', '--sampler ']);
    expect(at('/apex-comfy sdxl a cat --seed 1 --s')?.items.map((i) => i.insert)).not.toContain('--seed ');
    expect(at('/apex-flux a cat --ar ')?.items[0]).toMatchObject({ label: '1:1', kind: 'value' });
    expect(at('/apex-flux a cat --model ult')?.items.map((i) => i.label)).toEqual(['flux-pro-1.1-ultra']);
    expect(at('/help ap')?.items.map((i) => i.insert)).toEqual(['apex-comfy ', 'apex-flux ']);
    expect(at('/apex-flux a cat')).toBeNull();
    expect(at('a cat --r', { ...sources, plainCommand: 'apex-flux' } as never)?.items.map((i) => i.insert)).toContain('--raw ');
  });
});
