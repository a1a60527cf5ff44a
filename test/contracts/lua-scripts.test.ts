import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { LuaScript } from '@orchestrator/shared';
// Loading the server and the worker defines every script they run.
import '@orchestrator/server';
import '@orchestrator/worker';
import { TEST_REDIS_URL } from '../harness/redis.js';

/*
 * Every Lua script is a `.lua` file of its package's lua/ folder, loaded through LuaScript.fromFile, and
 * touches only keys its caller declares (KEYS): on a Redis Cluster an undeclared key may live on another
 * node. The key audit reads each script's calls: a key argument must be KEYS[…] or a variable, and no
 * variable used as a key is ever given a value built from ARGV or by concatenation. (The cluster e2e
 * test, test/e2e/cluster-keys.test.ts, proves at run time that everything lands in one hash slot.)
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function luaFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? luaFiles(p) : e.name.endsWith('.lua') ? [p] : [];
  });
}

/** The arguments of a call starting at `open` (the index of its '('), split at top-level commas. */
function callArgs(src: string, open: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = open + 1; i < src.length; i++) {
    const ch = src[i]!;
    if (ch === "'" || ch === '"') {
      const end = src.indexOf(ch, i + 1);
      cur += src.slice(i, end + 1);
      i = end;
      continue;
    }
    if ('([{'.includes(ch)) depth++;
    if (')]}'.includes(ch)) {
      if (depth === 0) {
        if (cur.trim() !== '') args.push(cur.trim());
        return args;
      }
      depth--;
    }
    if (ch === ',' && depth === 0) {
      args.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  throw new Error('unbalanced call');
}

const NO_KEYS = new Set(['TIME', 'PUBLISH']);
const ALL_KEYS = new Set(['DEL', 'UNLINK', 'EXISTS', 'MGET']);
const IDENT = /^[A-Za-z_]\w*$/;

/** Splits at top-level commas (an assignment's sides). */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if ('([{'.includes(ch)) depth++;
    if (')]}'.includes(ch)) depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/** What is wrong with the keys a script's source touches (empty: every key is declared). */
function auditKeys(source: string): string[] {
  const src = source.replace(/--[^\n]*/g, '');
  const problems: string[] = [];
  const keyVars = new Set<string>();
  for (const m of src.matchAll(/redis\.p?call\(/g)) {
    const args = callArgs(src, m.index + m[0].length - 1);
    const cmdExpr = args[0] ?? '';
    const cmd = /^'(\w+)'$/.exec(cmdExpr)?.[1]?.toUpperCase() ?? '';
    if (NO_KEYS.has(cmd)) continue;
    const keyArgs = ALL_KEYS.has(cmd) ? args.slice(1) : cmd === 'BITOP' ? args.slice(2) : args.slice(1, 2);
    for (const k of keyArgs) {
      const inner = /^unpack\((\w+)\)$/.exec(k)?.[1];
      if (/^KEYS\[[^\]]+\]$/.test(k)) continue;
      if (IDENT.test(k) || inner) keyVars.add(inner ?? k);
      else problems.push(`${cmdExpr} with the key ${k}: not KEYS[…] nor a variable`);
    }
  }
  // Every assignment to a variable used as a key (x = …, local x, y = …, x[#x + 1] = …).
  for (const line of src.split('\n')) {
    const m = /^\s*(?:local\s+)?([\w\s,[\]#+]+?)\s*=(?!=)\s*(.+)$/.exec(line);
    if (!m || /^\s*(if|for|while|return|elseif)\b/.test(line)) continue;
    const lhs = splitTop(m[1]!).map((l) => l.replace(/\[.*$/, '').trim());
    const rhs = splitTop(m[2]!);
    lhs.forEach((name, i) => {
      const value = rhs[Math.min(i, rhs.length - 1)] ?? '';
      if (keyVars.has(name) && (/ARGV|\.\.|['"]/.test(value) || value.startsWith('redis.'))) problems.push(`key variable ${name} = ${value}`);
    });
  }
  return problems;
}

describe('Lua scripts', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
  });
  afterAll(() => redis.disconnect());

  it('every .lua file is loaded by a LuaScript, and every script is read from .lua files', () => {
    const onDisk = ['shared', 'server', 'worker'].flatMap((p) => luaFiles(path.join(ROOT, p, 'lua'))).sort();
    const used = [...new Set(LuaScript.all().flatMap((s) => s.files))].sort();
    expect(used).toEqual(onDisk);
    for (const s of LuaScript.all()) expect(s.files.length).toBeGreaterThan(0);
    // Fragments are named *.fragment.lua, and only ever included, never run alone.
    for (const s of LuaScript.all()) {
      const fragments = s.files.slice(0, -1);
      expect(fragments.every((f) => f.endsWith('.fragment.lua'))).toBe(true);
      expect(s.files.at(-1)!.endsWith('.fragment.lua')).toBe(false);
    }
  });

  it('every script compiles in Redis', async () => {
    for (const s of LuaScript.all()) expect(await redis.script('LOAD', s.source), s.files.at(-1)).toBe(s.sha);
  });

  it('every key a script touches is declared in KEYS (no key name built in Lua)', () => {
    expect(LuaScript.all().length).toBeGreaterThan(20);
    for (const s of LuaScript.all()) expect(auditKeys(s.source), s.files.at(-1)).toEqual([]);
  });

  it('the audit catches keys built from ARGV or by concatenation', () => {
    expect(auditKeys(`redis.call('GET', 'orch:job:' .. ARGV[1])`)).toHaveLength(1);
    expect(auditKeys(`redis.call('SET', ARGV[1], 1)`)).toHaveLength(1);
    expect(auditKeys(`local k = KEYS[1] .. ':x'\nredis.call('DEL', KEYS[2], k)`)).toHaveLength(1);
    expect(auditKeys(`local keys = {}\nkeys[#keys + 1] = 'q:' .. ARGV[2]\nredis.call('BITOP', 'AND', KEYS[1], unpack(keys))`)).toHaveLength(1);
    expect(auditKeys(`local k = KEYS[1]\nredis.call('ZADD', k, 0, ARGV[1] .. '\\0' .. ARGV[2])\nredis.call('PUBLISH', ARGV[3], 'free')`)).toEqual([]);
  });

  it('a script file is found relative to its module in the compiled output too (lua/ beside src/ and dist/)', () => {
    // Modules load their scripts with new URL('../lua/…' or '../../lua/…', import.meta.url): the same
    // depth from src/x.ts and dist/x.js, as tsc mirrors src/ into dist/ (rootDir src, outDir dist).
    for (const p of ['shared', 'server', 'worker']) {
      const tsconfig = JSON.parse(readFileSync(path.join(ROOT, p, 'tsconfig.json'), 'utf8')) as { compilerOptions: { rootDir: string; outDir: string } };
      expect(tsconfig.compilerOptions, p).toMatchObject({ rootDir: 'src', outDir: 'dist' });
    }
    for (const s of LuaScript.all()) for (const f of s.files) expect(path.relative(ROOT, f)).toMatch(/^(shared|server|worker)\/lua\//);
  });
});
