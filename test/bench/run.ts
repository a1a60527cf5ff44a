// `npm run bench`: each benchmark prints its figure beside its DESIGN.md target (never part of `npm test`).
import { benchAcceptRate, benchLatency } from './jobs.bench.js';
import { benchThumbnails } from './thumbs.bench.js';
import { benchGallery } from './gallery.bench.js';

console.log('Orchestrator benchmarks (targets from DESIGN.md)\n');
await benchAcceptRate();
await benchLatency();
await benchThumbnails();
await benchGallery();
process.exit(0);
