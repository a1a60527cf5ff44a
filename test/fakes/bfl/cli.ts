// Standalone runner: `npm run fake:bfl` (node --import tsx test/fakes/bfl/cli.ts).
// Env: PORT (default 8787), HOST (default 127.0.0.1), FAKE_BFL_KEY (accepted x-key), PENDING_POLLS, SAMPLE_TTL_MS.
import { DEFAULT_BFL_KEY, startFakeBfl } from './index.js';

const env = process.env;
const num = (name: string): number | undefined => {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`${name} must be a non-negative number, got ${JSON.stringify(v)}`);
    process.exit(2);
  }
  return n;
};

const port = num('PORT') ?? 8787;
const pendingPolls = num('PENDING_POLLS');
const sampleTtlMs = num('SAMPLE_TTL_MS');
const fake = await startFakeBfl({
  port,
  host: env.HOST ?? '127.0.0.1',
  apiKey: env.FAKE_BFL_KEY || DEFAULT_BFL_KEY,
  ...(pendingPolls !== undefined ? { pendingPolls } : {}),
  ...(sampleTtlMs !== undefined ? { sampleTtlMs } : {}),
});

console.log(`SIMULATED Black Forest Labs FLUX API (protocol fake) on ${fake.url} — no real images are generated, no credits are spent`);
console.log(`  polling/delivery host: ${fake.pollingHost}`);
console.log(`  use: BFL_API_URL=${fake.url} BFL_API_KEY=${env.FAKE_BFL_KEY ? '<FAKE_BFL_KEY>' : fake.apiKey}`);

let closing = false;
const shutdown = (signal: string): void => {
  if (closing) return;
  closing = true;
  console.log(`\n${signal} received, shutting down the simulated BFL API`);
  fake.close().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
