#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pino from 'pino';
import { ConfigError, Password, ROLES, UserName, checked, loadEnvFile, parseConfig, redactUrl, type Config, type Role } from '@orchestrator/shared';
import { AuthService } from '../auth/auth-service.js';
import { AuthStore } from '../auth/auth-store.js';
import { HttpError } from '../errors.js';
import { Cancelled, readAll, readHidden, type TerminalInput } from './read-password.js';

/*
 * `npm run user -- add <name> --role admin|member|viewer`, `list`, `remove <name>`, `passwd <name>`:
 * team mode's users from a shell (the first admin, a forgotten password). It reads the config as the
 * server does (environment, then .env in the working directory) and goes through the server's own
 * AuthService, store and scrypt hashing, so its rules (e.g. never remove the last admin) hold here too.
 */

const USAGE = `Usage: npm run user -- <command>

  add <name> [--role admin|member|viewer]   add a user (role: member unless given)
  passwd <name>                             set a new password
  remove <name>                             remove a user and their API tokens
  list                                      list the users

The password is asked for without echo, or read from stdin with --password-stdin:
  printf '%s' "$PASSWORD" | npm run user -- add ada --role admin --password-stdin

Config as the server reads it: REDIS_URL, KEY_PREFIX (environment or .env).`;

/** A mistake in how the command was called: exit 2 with the usage. */
class UsageError extends Error {}

const validName = checked(UserName);
const validPassword = checked(Password);

function nameArg(positionals: string[]): string {
  const name = positionals[1];
  if (!name) throw new UsageError(`${positionals[0]} needs a user name`);
  if (positionals.length > 2) throw new UsageError(`unexpected arguments: ${positionals.slice(2).join(' ')}`);
  if (!validName.check(name)) throw new Error(`"${name}" is not a valid user name: 1 to 64 letters, digits and _ . @ -`);
  return name;
}

async function askPassword(name: string, fromStdin: boolean): Promise<string> {
  let password: string;
  if (fromStdin) {
    password = await readAll(process.stdin);
  } else if (process.stdin.isTTY) {
    const tty = process.stdin as unknown as TerminalInput;
    password = await readHidden(`Password for ${name}: `, tty, process.stderr);
    if (password && (await readHidden('Same password again: ', tty, process.stderr)) !== password) throw new Error('The two passwords differ: nothing changed');
  } else {
    throw new UsageError('stdin is not a terminal: pipe the password in and add --password-stdin');
  }
  if (!validPassword.check(password)) throw new Error('A password needs 8 to 256 characters: nothing changed');
  return password;
}

function loadConfig(): Config {
  loadEnvFile();
  return parseConfig(process.env, process.cwd());
}

async function connect(config: Config): Promise<Redis> {
  const redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new Error(`Cannot reach Redis at ${redactUrl(config.redisUrl)}: ${(err as Error).message}`, { cause: err });
  }
  return redis;
}

async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { role: { type: 'string' }, 'password-stdin': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  const command = positionals[0];
  if (values.help || !command) {
    console.log(USAGE);
    if (!command && !values.help) process.exitCode = 2;
    return;
  }
  if (!['add', 'passwd', 'remove', 'list'].includes(command)) throw new UsageError(`unknown command "${command}"`);
  if (values.role !== undefined && command !== 'add') throw new UsageError('--role goes with add (to change a role, use the Users panel)');
  const role = (values.role ?? 'member') as Role;
  if (!ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  if (command === 'list' && positionals.length > 1) throw new UsageError(`unexpected arguments: ${positionals.slice(1).join(' ')}`);
  const name = command === 'list' ? '' : nameArg(positionals);
  // Asked before connecting, so a typo in the password prompt costs no Redis round trip.
  const password = command === 'add' || command === 'passwd' ? await askPassword(name, values['password-stdin'] ?? false) : '';

  const config = loadConfig();
  const redis = await connect(config);
  const store = new AuthStore(redis, config.keyPrefix);
  const auth = new AuthService(store, config, pino({ level: 'silent' }));
  try {
    if ((command === 'passwd' || command === 'remove') && !(await store.user(name))) throw new Error(`There is no user named ${name} (see: npm run user -- list)`);
    switch (command) {
      case 'add': {
        const user = await auth.createUser({ name, password, role });
        console.log(`Added ${user.name} (${user.role}).`);
        break;
      }
      case 'passwd':
        await auth.patchUser(name, { password });
        console.log(`New password set for ${name}.`);
        break;
      case 'remove':
        await auth.deleteUser(name);
        console.log(`Removed ${name} and their API tokens.`);
        break;
      case 'list': {
        const users = await auth.listUsers();
        if (users.length === 0) console.log('No users yet: add one with `npm run user -- add <name> --role admin`.');
        const width = Math.max(4, ...users.map((u) => u.name.length));
        if (users.length > 0) console.log(`${'NAME'.padEnd(width)}  ${'ROLE'.padEnd(6)}  ADDED`);
        for (const u of users) console.log(`${u.name.padEnd(width)}  ${u.role.padEnd(6)}  ${u.createdAt.slice(0, 16).replace('T', ' ')}`);
        break;
      }
    }
    if (config.auth !== 'on' && command !== 'list') console.error('Note: AUTH is not on, so the server runs in local mode (no login); users count once it runs with AUTH=on.');
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

try {
  await run(process.argv.slice(2));
} catch (err) {
  if (err instanceof Cancelled) process.exitCode = 130;
  else if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else if (err instanceof HttpError || err instanceof ConfigError) {
    // Refusals written for the user (there is already a user named…, the last admin…, a bad .env).
    console.error(err.message);
    process.exitCode = 1;
  } else if (err instanceof Error && !(err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError)) {
    console.error(err.message);
    process.exitCode = 1;
  } else throw err;
}
