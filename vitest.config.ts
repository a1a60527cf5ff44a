import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (pkg: string) => fileURLToPath(new URL(`./${pkg}/src/index.ts`, import.meta.url));

// Tests import the workspaces' sources directly, so `npm test` needs no prior build of shared/server/worker.
export default defineConfig({
  resolve: {
    alias: {
      '@orchestrator/shared': src('shared'),
      '@orchestrator/server': src('server'),
      '@orchestrator/worker': src('worker'),
    },
  },
  test: {
    include: ['{shared,server,worker,test,web}/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    environment: 'node',
    testTimeout: 30000,
    hookTimeout: 30000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
