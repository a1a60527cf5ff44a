/*
 * The browser-safe part of @orchestrator/shared: everything except store.ts, whose classes need an
 * ioredis client. The web build aliases '@orchestrator/shared' to this file.
 */
export * from './config.js';
export * from './jobs.js';
export * from './priority.js';
export * from './agents.js';
export * from './auth.js';
export * from './assets.js';
export * from './backends.js';
export * from './backend-url.js';
export * from './events.js';
export * from './api.js';
export * from './error-codes.js';
export * from './outbound-http.js';
export * from './responses.js';
export * from './keys.js';
export * from './png-text.js';
export * from './exif-text.js';
export * from './image-text.js';
export * from './validate.js';
export * from './text.js';
export * from './input-image.js';
export * from './json-depth.js';
export * from './cursor.js';
export * from './models.js';
export * from './metadata/index.js';
export * from './models/safetensors.js';
export * from './models/family.js';
export * from './requests/flux.js';
export * from './requests/comfy-features.js';
export * from './requests/v0.js';
export * from './sites.js';
export * from './site-studio.js';
export * from './workflows.js';
export * from './gallery-words.js';
export * from './templates/index.js';
export * from './templates/validate-workflow.js';
export * from './templates/request.js';
export * from './templates/import.js';
export * from './chat.js';
export * from './chat-grammar.js';
export * from './chat-models.js';
export * from './chat-request.js';
export * from './chat-complete.js';
