import { spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config, UserView } from '@orchestrator/shared';
import { buildServer } from '../app.js';
import { REDIS_URL, cleanup, newRedis, testConfig } from '../testing/harness.js';

/*
 * `npm run user` as a separate process against the test Redis: what it writes, the server (same
 * prefix, team mode) reads: a user added on the command line logs in with that password.
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const TSX = pathToFileURL(path.join(root, 'node_modules/tsx/dist/loader.mjs')).href;
const CLI = path.join(root, 'server/src/cli/user.ts');

let config: Config;
let dir: string;
let redis: Redis;
let app: FastifyInstance;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in `dir` (its own .env, if any) with only the given environment. */
function cli(args: string[], { stdin = '', env = { REDIS_URL, KEY_PREFIX: config.keyPrefix } }: { stdin?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, CLI, ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

async function login(username: string, password: string): Promise<number> {
  return (await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } })).statusCode;
}

beforeAll(async () => {
  ({ config, outputPath: dir } = await testConfig('user-cli', { AUTH: 'on' }));
  redis = newRedis();
  app = await buildServer(config, { logger: false, reconcile: false });
});

afterAll(async () => {
  await app?.close();
  await cleanup(redis, config, dir);
  redis.disconnect();
});

describe('npm run user', () => {
  it('adds the first admin from a password on stdin, and the server logs them in with it', async () => {
    const add = await cli(['add', 'ada', '--role', 'admin', '--password-stdin'], { stdin: 'correct horse battery\n' });
    expect(add, add.stderr).toMatchObject({ code: 0, stdout: 'Added ada (admin).\n' });
    expect(await login('ada', 'correct horse battery')).toBe(200);
    expect(await login('ada', 'correct horse battery\n')).toBe(401);
  });

  it('adds a member by default, lists users with their roles, and refuses a name that is taken', async () => {
    expect((await cli(['add', 'bob', '--password-stdin'], { stdin: 'bobs password' })).code).toBe(0);
    const list = await cli(['list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^NAME\s+ROLE\s+ADDED\nada\s+admin\s+\d{4}-\d\d-\d\d \d\d:\d\d\nbob\s+member\s+/);
    const again = await cli(['add', 'bob', '--password-stdin'], { stdin: 'another password' });
    expect(again).toMatchObject({ code: 1, stderr: 'There is already a user named bob\n' });
  });

  it('sets a new password: the old one stops working', async () => {
    const res = await cli(['passwd', 'bob', '--password-stdin'], { stdin: 'a new password' });
    expect(res, res.stderr).toMatchObject({ code: 0, stdout: 'New password set for bob.\n' });
    expect(await login('bob', 'bobs password')).toBe(401);
    expect(await login('bob', 'a new password')).toBe(200);
  });

  it('removes a user, but never the last admin', async () => {
    const last = await cli(['remove', 'ada']);
    expect(last.code).toBe(1);
    expect(last.stderr).toContain('last admin');
    expect((await cli(['remove', 'bob'])).code).toBe(0);
    expect(await login('bob', 'a new password')).toBe(401);
    const gone = await cli(['remove', 'bob']);
    expect(gone).toMatchObject({ code: 1 });
    expect(gone.stderr).toContain('There is no user named bob');
    const users = (await app.inject({ url: '/api/users', headers: { cookie: await sessionCookie() } })).json<{ items: UserView[] }>().items;
    expect(users.map((u) => u.name)).toEqual(['ada']);
  });

  it('reads REDIS_URL and KEY_PREFIX from .env in the working directory, like the server', async () => {
    await writeFile(path.join(dir, '.env'), `REDIS_URL=${REDIS_URL}\nKEY_PREFIX=${config.keyPrefix}\n`);
    const list = await cli(['list'], { env: {} });
    expect(list.stdout).toContain('ada');
  });

  it('explains what is wrong with a call: no password source, a bad role, a bad name, a short password', async () => {
    const [noTty, badRole, badName, short, unknown] = await Promise.all([
      cli(['add', 'cy']),
      cli(['add', 'cy', '--role', 'boss', '--password-stdin'], { stdin: 'long enough' }),
      cli(['add', 'c y', '--password-stdin'], { stdin: 'long enough' }),
      cli(['add', 'cy', '--password-stdin'], { stdin: 'short' }),
      cli(['frobnicate']),
    ]);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toContain('--password-stdin');
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain('--role must be one of admin, member, viewer');
    expect(badName.stderr).toContain('not a valid user name');
    expect(short.stderr).toContain('8 to 256 characters');
    expect(unknown.code).toBe(2);
    expect((await cli(['list'])).stdout).not.toContain('cy');
  });

  it.skipIf(spawnSync('script', ['--version']).status !== 0)('at a terminal: asks twice without echoing the password', async () => {
    // `script` gives the CLI a real pseudo-terminal; keys are sent only once each prompt shows.
    const command = [process.execPath, '--import', TSX, CLI, 'add', 'dee', '--role', 'viewer'].map((a) => `'${a}'`).join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: dir, env: { PATH: process.env.PATH ?? '', REDIS_URL, KEY_PREFIX: config.keyPrefix } });
    let seen = '';
    const prompts = ['Password for dee: ', 'Same password again: '];
    child.stdout.on('data', (d: Buffer) => {
      seen += d.toString();
      if (prompts[0] && seen.includes(prompts[0])) {
        prompts.shift();
        child.stdin.write('typed secret 42\r');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, seen).toBe(0);
    expect(seen).toContain('Added dee (viewer).');
    expect(seen).not.toContain('typed secret');
    expect(await login('dee', 'typed secret 42')).toBe(200);
  });
});

async function sessionCookie(): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'ada', password: 'correct horse battery' } });
  return String(res.headers['set-cookie']).split(';')[0]!;
}
