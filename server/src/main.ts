import { ConfigError, loadEnvFile, parseConfig, type Config } from '@orchestrator/shared';
import { buildServer } from './app.js';

/*
 * `node dist/main.js`: the only place that reads process.env. A `.env` in the working directory is
 * loaded first (Node's own parser; variables already set in the environment win).
 */
let config: Config;
try {
  loadEnvFile();
  config = parseConfig(process.env, process.cwd());
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `Cannot read .env: ${(err as Error).message}`);
  process.exit(1);
}

let app: Awaited<ReturnType<typeof buildServer>>;
try {
  app = await buildServer(config);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(1);
}
try {
  await app.listen({ host: config.host, port: config.port });
} catch (err) {
  app.log.error({ err }, 'cannot listen');
  process.exit(1);
}
console.log(`Orchestrator listening on http://${config.host}:${config.port}`);

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  app.log.info({ signal }, 'shutting down');
  // A second signal, or a close that hangs, ends the process anyway.
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  try {
    await app.close();
    process.exit(0);
  } catch (err) {
    app.log.error({ err }, 'shutdown failed');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
