import type { ModelInfo } from '@orchestrator/shared';

export interface Availability {
  tone: 'ok' | 'warn';
  text: string;
  title: string;
}

/** Where a model can run: the backends that report it, or why none will. */
export function availabilityOf(model: Pick<ModelInfo, 'backends' | 'local'>): Availability {
  if (model.backends.length > 0) {
    return { tone: 'ok', text: model.backends.join(', '), title: `On ${model.backends.length === 1 ? 'backend' : 'backends'} ${model.backends.join(', ')}` };
  }
  if (model.local) return { tone: 'warn', text: 'local only', title: 'Under MODELS_PATH on the server, but no backend reports it' };
  return { tone: 'warn', text: 'not on any backend', title: 'No backend reports this file' };
}
