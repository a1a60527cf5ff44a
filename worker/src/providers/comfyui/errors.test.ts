import { describe, expect, it } from 'vitest';
import { executionFailure, validationFailure } from './errors.js';

describe('ComfyUI error messages', () => {
  it('names the node, its id and the input of a validation error', () => {
    const body = {
      error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: '', extra_info: {} },
      node_errors: {
        '3': {
          errors: [
            {
              type: 'value_not_in_list',
              message: 'Value not in list',
              details: "sampler_name: 'x' not in ['euler']",
              extra_info: { input_name: 'sampler_name' },
            },
          ],
          dependent_outputs: ['9'],
          class_type: 'KSampler',
        },
      },
    };
    const f = validationFailure(body);
    expect(f.code).toBe('validation_failed');
    expect(f.message).toBe(`KSampler (#3) input "sampler_name": Value not in list: sampler_name: 'x' not in ['euler']`);
  });

  it('uses the top-level message when there are no node errors', () => {
    const f = validationFailure({ error: { type: 'invalid_prompt', message: 'Cannot execute because node X does not exist.', details: "Node ID '#1'" }, node_errors: {} });
    expect(f.message).toBe(`Cannot execute because node X does not exist. (Node ID '#1')`);
  });

  it('keeps ComfyUI exception message and details for execution errors', () => {
    const f = executionFailure({ node_id: '3', node_type: 'KSampler', exception_message: 'CUDA out of memory\n', exception_type: 'torch.OutOfMemoryError' });
    expect(f.code).toBe('execution_error');
    expect(f.message).toBe('CUDA out of memory');
    expect(f.details).toEqual({ node_type: 'KSampler', node_id: '3', exception_type: 'torch.OutOfMemoryError' });
  });
});
