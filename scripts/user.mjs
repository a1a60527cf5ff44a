#!/usr/bin/env node
/*
 * `npm run user -- <command>`: builds shared and server when their output is missing or older than
 * their sources (as `npm start` does), then runs server/dist/cli/user.js with the terminal passed
 * through (the password prompt needs it). Without the sources or TypeScript (a production image) it
 * runs what is built.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'server/dist/cli/user.js');

function newestMtime(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.endsWith('.test.ts')) continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const stale = ['shared', 'server'].some((pkg) => {
  const built = path.join(root, pkg, 'tsconfig.tsbuildinfo');
  return !existsSync(built) || newestMtime(path.join(root, pkg, 'src')) > statSync(built).mtimeMs;
});
const canBuild = existsSync(path.join(root, 'node_modules/typescript')) && existsSync(path.join(root, 'server/src'));
if ((stale || !existsSync(cli)) && canBuild) {
  console.error('▶ building shared and server…');
  const res = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-b', 'shared', 'server'], { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) {
    console.error('✖ Building shared and server failed (see above).');
    process.exit(1);
  }
}
if (!existsSync(cli)) {
  console.error('✖ server/dist/cli/user.js is missing: run `npm run build` first.');
  process.exit(1);
}
const res = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(res.status ?? 1);
