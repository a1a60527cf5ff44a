// `npm run bench [-- name…]`: each benchmark prints its figure beside its DESIGN.md target (never part of
// `npm test`). With names (accept, latency, scheduling, affinity, burst, farm, thumbs, gallery) only those run.
import { benchAcceptRate, benchLatency } from './jobs.bench.js';
import { benchThumbnails } from './thumbs.bench.js';
import { benchGallery } from './gallery.bench.js';
import { benchAffinity, benchBurst, benchFarm, benchWorkersAndBackends } from './scheduling.bench.js';

const BENCHES: Record<string, () => Promise<void>> = {
  accept: benchAcceptRate,
  latency: benchLatency,
  scheduling: benchWorkersAndBackends,
  affinity: benchAffinity,
  burst: benchBurst,
  farm: benchFarm,
  thumbs: benchThumbnails,
  gallery: benchGallery,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !(w in BENCHES));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
console.log('Orchestrator benchmarks (targets from DESIGN.md)\n');
for (const [name, bench] of Object.entries(BENCHES)) {
  if (wanted.length === 0 || wanted.includes(name)) await bench();
}
process.exit(0);
