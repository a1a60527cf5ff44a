#!/usr/bin/env node
/*
 * `npm start`: builds whatever is missing or stale (the native PNG decoder too, when a C compiler is
 * there: scripts/build-native.mjs), makes sure Redis answers (starting a private one
 * under DATA_PATH when REDIS_URL is local, unreachable and `redis-server` is installed), then runs the
 * server and one worker as child processes. `--worker-only` runs just a worker (`npm run worker`);
 * `--dev` runs them from source with --watch, rebuilds shared as it changes, and runs Vite's dev server
 * (`npm run dev`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildNative } from './build-native.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const workerOnly = process.argv.includes('--worker-only');
// --dev: server and worker from source with --watch, and Vite's dev server for the page.
const dev = process.argv.includes('--dev');

function fail(message) {
  console.error(`\n✖ ${message}\n`);
  process.exit(1);
}

/** Reads `.env` without overriding variables already set: Node's own loader, as the server and worker use (shared/src/env-file.ts). */
function loadDotEnv() {
  const file = path.join(root, '.env');
  if (!existsSync(file)) return;
  try {
    process.loadEnvFile(file);
  } catch (err) {
    fail(`Cannot read ${file}: ${err.message}`);
  }
}

function newestMtime(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  if (!statSync(dir).isDirectory()) return statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.endsWith('.test.ts')) continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** A package needs building when its output is missing or older than its sources. */
function needsBuild(pkg, output, sources = ['src']) {
  const out = path.join(root, pkg, output);
  if (!existsSync(out)) return true;
  const built = statSync(out).mtimeMs;
  return sources.some((s) => newestMtime(path.join(root, pkg, s)) > built);
}

function build() {
  if (!existsSync(path.join(root, 'node_modules'))) fail('Dependencies are missing: run `npm install` first.');
  const tsStale = ['shared', 'server', 'worker'].some(
    (p) => !existsSync(path.join(root, p, 'dist/index.js')) || needsBuild(p, 'tsconfig.tsbuildinfo'),
  );
  const webStale = !workerOnly && needsBuild('web', 'dist/index.html', ['src', 'index.html']);
  const run = (label, cmd, args) => {
    console.log(`▶ building ${label}…`);
    const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
    if (res.status !== 0) fail(`Building ${label} failed (see above).`);
  };
  if (tsStale) run('shared, server and worker', 'npx', ['tsc', '-b', 'shared', 'server', 'worker']);
  buildNative(); // optional: without it PNG thumbnails are made by sharp alone
  if (webStale) run('the web app', 'npm', ['run', 'build', '-w', 'web']);
}

/** Resolves true when something at host:port answers a Redis PING (any reply counts, even NOAUTH). */
function redisAnswers(host, port, timeoutMs = 800) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => done(/^[+-]/.test(d.toString())));
  });
}

/** Validates the environment the same way server and worker will, before anything is started. */
async function checkConfig() {
  const { parseConfig, ConfigError } = await import(path.join(root, 'shared/dist/index.js'));
  try {
    parseConfig(process.env, root);
  } catch (err) {
    if (err instanceof ConfigError) fail(`${err.message}\n  Fix it in the environment or in .env (see .env.example).`);
    throw err;
  }
}

function hasBinary(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

async function ensureRedis(children) {
  const url = new URL(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
  const host = url.hostname || '127.0.0.1';
  const port = Number(url.port || 6379);
  if (await redisAnswers(host, port)) return;
  const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host);
  if (!local) fail(`Redis does not answer at ${url.host}. Start it, or point REDIS_URL at a running Redis.`);
  if (workerOnly) fail(`Redis does not answer at ${url.host}. A worker needs the same REDIS_URL as the server.`);
  if (!hasBinary('redis-server')) {
    fail(
      `Redis does not answer at ${url.host} and no redis-server is installed.\n` +
        `  Install Redis (Debian/Ubuntu: sudo apt-get install redis-server · macOS: brew install redis)\n` +
        `  or set REDIS_URL in .env to a running Redis (e.g. REDIS_URL=redis://127.0.0.1:6379).`,
    );
  }
  const dir = path.resolve(root, process.env.DATA_PATH || 'data', 'redis');
  mkdirSync(dir, { recursive: true });
  console.log(`▶ starting a private Redis on 127.0.0.1:${port} (data in ${path.relative(root, dir) || dir})`);
  const redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--loglevel', 'warning'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  children.push({ name: 'redis', proc: redis, last: true });
  for (let i = 0; i < 50; i++) {
    if (await redisAnswers('127.0.0.1', port)) return;
    if (redis.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  fail(`The private Redis did not start on port ${port} (is the port taken by something that is not Redis?).`);
}

/**
 * --dev restarts a process when its package's sources or Lua scripts change, or when shared is rebuilt.
 * Listed folders rather than `--watch`: that follows imported modules only, and the Lua scripts are read
 * as files.
 */
function devWatchPaths(script) {
  const pkg = script.split('/')[0];
  return [`${pkg}/src`, `${pkg}/lua`, 'shared/dist', 'shared/lua'].map((p) => path.join(root, p)).filter((p) => existsSync(p));
}

function run(children, name, script, { restart }) {
  const args = dev
    ? ['--import', 'tsx', ...devWatchPaths(script).map((p) => `--watch-path=${p}`), path.join(root, script.replace('/dist/', '/src/').replace(/\.js$/, '.ts'))]
    : [path.join(root, script)];
  const start = (attempt) => {
    const proc = spawn(process.execPath, args, { stdio: 'inherit', env: process.env });
    const child = { name, proc, last: false };
    children.push(child);
    proc.on('exit', (code, signal) => {
      children.splice(children.indexOf(child), 1);
      if (stopping) return;
      if (restart && attempt < 5) {
        console.error(`${name} exited (${code ?? signal}); restarting in ${attempt + 1}s`);
        setTimeout(() => start(attempt + 1), (attempt + 1) * 1000);
      } else {
        console.error(`${name} exited (${code ?? signal}); stopping.`);
        void shutdown(code ?? 1);
      }
    });
  };
  start(0);
}

/** A tool run through npm (its own process group): the signal reaches what npm started under it too. */
function spawnTool(name, cmd, args) {
  const proc = spawn(cmd, args, { cwd: root, stdio: 'inherit', detached: true });
  children.push({ name, proc, last: false, group: true });
}

function signal(child, sig) {
  try {
    if (child.group) process.kill(-child.proc.pid, sig);
    else child.proc.kill(sig);
  } catch {
    // already gone
  }
}

let stopping = false;
const children = [];

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  const ordered = [...children.filter((c) => !c.last), ...children.filter((c) => c.last)];
  for (const c of ordered) {
    if (c.proc.exitCode !== null || c.proc.signalCode !== null) continue; // already gone (a signal leaves exitCode null)
    signal(c, 'SIGTERM');
    await new Promise((resolve) => {
      const t = setTimeout(() => (signal(c, 'SIGKILL'), resolve()), 15000);
      c.proc.once('exit', () => (clearTimeout(t), resolve()));
    });
  }
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

loadDotEnv();
if (dev) {
  const res = spawnSync('npx', ['tsc', '-b', 'shared'], { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) fail('Building shared failed (see above).');
  buildNative();
} else {
  build();
}
await checkConfig();
await ensureRedis(children);
if (!workerOnly) run(children, 'server', 'server/dist/main.js', { restart: false });
run(children, 'worker', 'worker/dist/main.js', { restart: true });
if (dev) {
  // Rebuilds shared/dist as shared/src changes; the server and worker watch shared/dist and restart.
  spawnTool('tsc', 'npx', ['tsc', '-b', 'shared', '--watch', '--preserveWatchOutput']);
}
if (dev && !workerOnly) spawnTool('vite', 'npm', ['run', 'dev', '-w', 'web']);
