#!/usr/bin/env node
// `npm test`: typecheck, lint, build the SPA (the browser tests drive the built page) and the native PNG
// decoder (its tests need it where it can be built), then every test.
import { spawnSync } from 'node:child_process';

const steps = [
  ['typecheck', 'npm', ['run', 'typecheck']],
  ['lint', 'npm', ['run', 'lint']],
  ['build web', 'npm', ['run', 'build', '-w', 'web']],
  ['build the native PNG decoder', 'node', ['scripts/build-native.mjs']],
  ['tests', 'npx', ['vitest', 'run', ...process.argv.slice(2)]],
];

for (const [name, cmd, args] of steps) {
  console.log(`\n▶ ${name}: ${cmd} ${args.join(' ')}`);
  const res = spawnSync(cmd, args, { stdio: 'inherit' });
  if (res.status !== 0) {
    console.error(`\n✖ ${name} failed (exit ${res.status ?? res.signal})`);
    process.exit(res.status ?? 1);
  }
}
