// Standalone runner: `npm run fake:bfl` (node --import tsx test/fakes/bfl/cli.ts).
// Env: PORT (default 8787), HOST (default 127.0.0.1), FAKE_BFL_KEY (accepted x-key), PENDING_POLLS, SAMPLE_TTL_MS.
import { closeOnSignals, envNumber } from '../cli-support.js';
import { DEFAULT_BFL_KEY, startFakeBfl } from './index.js';

const env = process.env;
const num = (name: string) => envNumber(name, env);

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

closeOnSignals('BFL API', fake);
