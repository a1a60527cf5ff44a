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
