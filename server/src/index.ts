export { buildServer, type BuildOptions } from './app.js';
export { JobService } from './jobs/job-service.js';
export { EventHub } from './events/event-hub.js';
