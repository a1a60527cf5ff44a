import { existsSync } from 'node:fs';

/**
 * The one `.env` loader of the server, the worker and the CLIs: Node's own parser
 * (`process.loadEnvFile`, the dotenv format); variables already set in the environment win. A
 * missing file is no error; one that cannot be read or parsed throws.
 * Returns whether a file was read.
 */
export function loadEnvFile(file = '.env'): boolean {
  if (!existsSync(file)) return false;
  process.loadEnvFile(file);
  return true;
}
