// Standalone runner: `npm run fake:v0` (node --import tsx test/fakes/v0/cli.ts).
// Env: PORT (default 8788), HOST (default 127.0.0.1), FAKE_V0_KEY (accepted Bearer key), PENDING_POLLS,
// GENERATION_MS (async generations finish on their own after this long; default 5000 here), SYNC_MS.
import { closeOnSignals, envNumber } from '../cli-support.js';
import { DEFAULT_V0_KEY, startFakeV0 } from './index.js';

const env = process.env;
const num = (name: string) => envNumber(name, env);

const pendingPolls = num('PENDING_POLLS');
const syncMs = num('SYNC_MS');
const fake = await startFakeV0({
  port: num('PORT') ?? 8788,
  host: env.HOST ?? '127.0.0.1',
  apiKey: env.FAKE_V0_KEY || DEFAULT_V0_KEY,
  generationMs: num('GENERATION_MS') ?? 5000,
  ...(pendingPolls !== undefined ? { pendingPolls } : {}),
  ...(syncMs !== undefined ? { syncMs } : {}),
});

console.log(`SIMULATED v0 Platform API (protocol fake) on ${fake.url} — no real sites are generated`);
console.log(`  demo previews on ${fake.demoHost}/demo/<versionId>/`);
console.log(`  use: V0_API_URL=${fake.url} V0_API_KEY=${env.FAKE_V0_KEY ? '<FAKE_V0_KEY>' : fake.apiKey}`);
console.log(`  and, for the site studio's preview: PREVIEW_DEMO_HOSTS=.vusercontent.net,${new URL(fake.demoHost).hostname}`);

closeOnSignals('v0 API', fake);
