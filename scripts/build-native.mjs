#!/usr/bin/env node
/*
 * Builds the native PNG decoder for thumbnails (shared/native/png-decode.c → shared/native/build/
 * png-decode.node) when it is missing or older than its source. It needs a C compiler (`cc`, or $CC)
 * and Node's headers, nothing else: libdeflate is loaded at run time. Without them, or when the build
 * fails, thumbnails are made by sharp alone (slower for PNG): a notice, never an error.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = path.join(root, 'shared/native/png-decode.c');
const nativeAddon = path.join(root, 'shared/native/build/png-decode.node');

/** Node's C headers: beside the running binary (official builds, distributions), or npm's nodedir. */
function nodeHeaders() {
  const dirs = [path.resolve(process.execPath, '../../include/node')];
  if (process.env.npm_config_nodedir) dirs.push(path.join(process.env.npm_config_nodedir, 'include/node'));
  return dirs.find((dir) => existsSync(path.join(dir, 'node_api.h'))) ?? null;
}

function nativeStale() {
  return !existsSync(nativeAddon) || statSync(nativeAddon).mtimeMs < statSync(source).mtimeMs;
}

/** Builds when stale. Returns whether an up-to-date decoder is in place. */
export function buildNative() {
  if (!nativeStale()) return true;
  const notice = (why) => {
    console.warn(`ℹ PNG thumbnails will use sharp alone: ${why}`);
    return false;
  };
  if (process.platform === 'win32') return notice('the native decoder is not built on Windows');
  const headers = nodeHeaders();
  if (!headers) return notice("Node's C headers (include/node/node_api.h) were not found");
  const cc = process.env.CC || 'cc';
  const temp = `${nativeAddon}.${process.pid}.tmp`;
  mkdirSync(path.dirname(nativeAddon), { recursive: true });
  const args = ['-O2', '-std=gnu11', '-shared', '-fPIC', '-fvisibility=hidden', `-I${headers}`, source, '-o', temp, '-ldl'];
  if (process.platform === 'darwin') args.push('-undefined', 'dynamic_lookup');
  console.log('▶ building the native PNG decoder…');
  const res = spawnSync(cc, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (res.error || res.status !== 0) {
    rmSync(temp, { force: true });
    return notice(res.error ? `no C compiler (${cc}: ${res.error.message})` : `${cc} failed (see above)`);
  }
  renameSync(temp, nativeAddon);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) buildNative();
