import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ChainableCommander, Redis } from 'ioredis';

/** Numbers the TypeScript side defines too, handed to a script as `local NAME = value` lines. */
export type LuaConstants = Readonly<Record<string, number>>;

/** A file of local functions several scripts share (e.g. the gallery's posting lists), with the constants it reads. */
export interface LuaFragment {
  readonly file: URL;
  readonly constants?: LuaConstants;
}

export interface LuaFileOptions {
  /** Prepended in this order, after every constant: the script calls the functions they define. */
  fragments?: readonly LuaFragment[];
  constants?: LuaConstants;
  /**
   * Always send the whole script (EVAL), never its SHA. For a script whose caller queues another command
   * right behind it on the same connection (the job's record, then its BullMQ entry): a NOSCRIPT retry
   * would reach Redis after that command.
   */
  sendWhole?: boolean;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The text of a `.lua` file; a missing one fails at import, naming the path (a build or image that left it behind). */
function readLua(file: URL): string {
  try {
    return readFileSync(file, 'utf8').replace(/\n?$/, '\n');
  } catch (err) {
    throw new Error(`Lua script not found at ${fileURLToPath(file)} (the package's lua/ folder must ship beside dist/)`, { cause: err });
  }
}

function constantLines(constants: LuaConstants): string {
  return Object.entries(constants)
    .map(([name, value]) => {
      if (!NAME.test(name) || !Number.isFinite(value)) throw new Error(`bad Lua constant ${name} = ${value}`);
      return `local ${name} = ${value}\n`;
    })
    .join('');
}

/**
 * A Lua script sent by its SHA1 (EVALSHA), and in full only when Redis does not know it yet (after a
 * restart or SCRIPT FLUSH). Scripts the indexer runs thousands of times a second should not travel
 * whole each time.
 *
 * Every script is a `.lua` file in its package's `lua/` folder (beside `src/` and `dist/`, so the same
 * relative URL finds it from the sources under tsx and from the compiled output, with no copy step):
 * `LuaScript.fromFile(new URL('../lua/x.lua', import.meta.url))`. A script reads and writes only the keys
 * its caller declares in KEYS (Redis Cluster; checked by test/contracts/lua-scripts.test.ts). Its text is
 * its constants (`local NAME = value`, the fragments' first), then its fragments' files, then its own.
 */
export class LuaScript {
  private static readonly defined: LuaScript[] = [];
  readonly sha: string;
  private constructor(
    readonly source: string,
    private readonly sendWhole = false,
    /** The files it was read from (fragments first), for the tests that audit them. */
    readonly files: readonly string[] = [],
  ) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  static fromFile(file: URL, options: LuaFileOptions = {}): LuaScript {
    const fragments = options.fragments ?? [];
    const constants = Object.assign({}, ...fragments.map((f) => f.constants ?? {}), options.constants) as LuaConstants;
    const source = constantLines(constants) + fragments.map((f) => readLua(f.file)).join('') + readLua(file);
    const files = [...fragments.map((f) => fileURLToPath(f.file)), fileURLToPath(file)];
    const script = new LuaScript(source, options.sendWhole ?? false, files);
    LuaScript.defined.push(script);
    return script;
  }

  /** Every script the loaded modules defined (the tests check each file is one's, and audit its keys). */
  static all(): readonly LuaScript[] {
    return LuaScript.defined;
  }

  /**
   * Many runs in one write to the socket (a pipeline), for callers that have a batch ready (the gallery
   * rescan: one syscall for 128 puts instead of 128). Each result is the script's reply or its Error.
   */
  async runMany(redis: Redis, calls: { numKeys: number; args: (string | number)[] }[]): Promise<unknown[]> {
    if (calls.length === 0) return [];
    const send = async (whole: boolean) => {
      const pipe: ChainableCommander = redis.pipeline();
      for (const c of calls) {
        if (whole) pipe.eval(this.source, c.numKeys, ...c.args);
        else pipe.evalsha(this.sha, c.numKeys, ...c.args);
      }
      return ((await pipe.exec()) ?? []).map(([err, res]) => err ?? res);
    };
    if (this.sendWhole) return send(true);
    let out = await send(false);
    if (out.some((r) => r instanceof Error && r.message.startsWith('NOSCRIPT'))) {
      await redis.script('LOAD', this.source);
      out = await send(false);
    }
    return out;
  }

  async run(redis: Redis, numKeys: number, ...args: (string | number)[]): Promise<unknown> {
    if (this.sendWhole) return redis.eval(this.source, numKeys, ...args);
    try {
      return await redis.evalsha(this.sha, numKeys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(this.source, numKeys, ...args);
    }
  }
}
