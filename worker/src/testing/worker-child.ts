import { parseConfig } from '@orchestrator/shared';
import { startWorkerRuntime } from '../runtime.js';

/*
 * A worker as its own process, for tests that kill it (SIGKILL mid-job). Config comes from the
 * environment like main.ts; prints "ready <id>" once it takes jobs.
 */
const config = parseConfig(process.env);
const runtime = await startWorkerRuntime(config, { monitorIntervalMs: 300 });
process.stdout.write(`ready ${runtime.id}\n`);
process.on('SIGTERM', () => {
  void runtime.close().then(() => process.exit(0));
});
// The test process holds our stdin open: when it ends (a failed test that never stopped us, a killed
// run), so do we, rather than live on taking jobs from a prefix nobody watches.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
