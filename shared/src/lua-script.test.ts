import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { TEST_REDIS_URL } from '../../test/harness/redis.js';
import { LuaScript } from './lua-script.js';

/* The loader of the `.lua` files: constants, then fragments, then the script; by SHA or always whole. */

let dir: string;
let redis: Redis;
const prefix = `test-lua-${randomBytes(4).toString('hex')}`;
const file = (name: string) => pathToFileURL(path.join(dir, name));

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'orch-lua-'));
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
  await writeFile(path.join(dir, 'twice.fragment.lua'), '-- a fragment\nlocal function twice(n) return n * FACTOR end'); // no final newline
  await writeFile(path.join(dir, 'store.lua'), "redis.call('SET', KEYS[1], twice(tonumber(ARGV[1])) + OFFSET)\nreturn redis.call('GET', KEYS[1])\n");
});

afterAll(async () => {
  await redis.del(`${prefix}:a`, `${prefix}:b`);
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe('LuaScript.fromFile', () => {
  it('puts the constants (the fragments’ first) before the fragments, and the fragments before the script', async () => {
    // A constant unique to this run: Redis has never seen the script, so the first run falls back from EVALSHA.
    const offset = Number.parseInt(randomBytes(3).toString('hex'), 16);
    const s = LuaScript.fromFile(file('store.lua'), { fragments: [{ file: file('twice.fragment.lua'), constants: { FACTOR: 2 } }], constants: { OFFSET: offset } });
    expect(s.source.startsWith(`local FACTOR = 2\nlocal OFFSET = ${offset}\n-- a fragment\n`)).toBe(true);
    expect(s.files.map((f) => path.basename(f))).toEqual(['twice.fragment.lua', 'store.lua']);
    expect(await s.run(redis, 1, `${prefix}:a`, 5)).toBe(String(10 + offset));
    expect(await s.runMany(redis, [{ numKeys: 1, args: [`${prefix}:b`, 1] }])).toEqual([String(2 + offset)]);
    expect(LuaScript.all()).toContain(s);
  });

  it('sends a sendWhole script whole every time, never by its SHA', async () => {
    const s = LuaScript.fromFile(file('store.lua'), { fragments: [{ file: file('twice.fragment.lua') }], constants: { FACTOR: 3, OFFSET: 0 }, sendWhole: true });
    const evalsha = vi.spyOn(redis, 'evalsha');
    expect(await s.run(redis, 1, `${prefix}:a`, 2)).toBe('6');
    expect(evalsha).not.toHaveBeenCalled();
    evalsha.mockRestore();
  });

  it('fails at load naming the missing file, and refuses a constant Lua could not read', () => {
    expect(() => LuaScript.fromFile(file('missing.lua'))).toThrow(/Lua script not found at .*missing\.lua/);
    expect(() => LuaScript.fromFile(file('store.lua'), { constants: { 'not a name': 1 } })).toThrow(/bad Lua constant/);
    expect(() => LuaScript.fromFile(file('store.lua'), { constants: { X: Number.NaN } })).toThrow(/bad Lua constant/);
  });
});
