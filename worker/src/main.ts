import { ConfigError, loadEnvFile, parseConfig, type Config } from '@orchestrator/shared';
import { createLogger } from './logger.js';
import { startWorkerRuntime } from './runtime.js';

// `.env` is optional (shared/src/env-file.ts); one that cannot be read is reported, not fatal.
try {
  loadEnvFile();
} catch (err) {
  console.error(`worker: could not read .env: ${(err as Error).message}`);
}

let config: Config;
try {
  config = parseConfig(process.env, process.cwd());
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`worker: ${err.message}`);
    process.exit(1);
  }
  throw err;
}

const logger = createLogger(config.logLevel);
const runtime = await startWorkerRuntime(config, { logger });
logger.info({ workerId: runtime.id }, `worker ${runtime.id} started: ${config.comfyuiUrls.length} ComfyUI backend(s)`);

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) {
    logger.warn({ signal }, 'second signal; exiting now');
    process.exit(1);
  }
  stopping = true;
  logger.info({ signal }, 'shutting down: no new jobs, active ones finish or are handed back');
  runtime.close().then(
    () => process.exit(0),
    (err: unknown) => {
      logger.error({ err: (err as Error).message }, 'shutdown failed');
      process.exit(1);
    },
  );
};
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
