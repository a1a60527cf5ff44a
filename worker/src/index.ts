export { startWorkerRuntime, newWorkerId, COMFYUI_QUEUE, type RuntimeOptions, type WorkerRuntime } from './runtime.js';
export { createLogger } from './logger.js';
export type { Provider, RunContext, RunResult } from './providers/provider.js';
export { ComfyUiProvider, type ComfyProviderOptions } from './providers/comfyui/provider.js';
export { TXT2IMG, TXT2IMG_DEFAULTS, bindTemplate, txt2imgBindings } from './providers/comfyui/workflow.js';
export { JobFailure, JobCancelled, BackendUnavailable, PromptLost, HandedBack } from './errors.js';
