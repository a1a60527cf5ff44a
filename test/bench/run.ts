// `npm run bench [-- name…]`: each benchmark prints its figure beside its DESIGN.md target (never part of
// `npm test`). With names (accept, latency, scheduling, affinity, burst, farm, thumbs, gallery) only those run.
// `gallery` indexes the 1,000,000 assets DESIGN.md's targets are set for (some 20–30 minutes on 2 cores);
// BENCH_GALLERY_FILES=100000 (or `gallery-100k`) is the quick run for CI, its figures not comparable to the targets.
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
  gallery: () => benchGallery(),
  'gallery-100k': () => benchGallery(100_000),
};
/** Asked for by name only (a smaller copy of one that runs anyway). */
const BY_NAME_ONLY = new Set(['gallery-100k']);

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !(w in BENCHES));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
console.log('Orchestrator benchmarks (targets from DESIGN.md)\n');
for (const [name, bench] of Object.entries(BENCHES)) {
  if (wanted.includes(name) || (wanted.length === 0 && !BY_NAME_ONLY.has(name))) await bench();
}
process.exit(0);
