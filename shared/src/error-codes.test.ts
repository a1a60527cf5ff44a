import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ERROR_CODE_NAMES, JOB_ERROR_CODES, errorStatus, isErrorCode, isJobErrorCode, jobError } from './error-codes.js';
import { ApiError } from './api.js';

describe('the error-code registry', () => {
  it('gives every code one 4xx/5xx status and a message', () => {
    for (const code of ERROR_CODE_NAMES) {
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(errorStatus(code)).toBeGreaterThanOrEqual(400);
      expect(errorStatus(code)).toBeLessThan(600);
      expect(ERROR_CODES[code].message.length).toBeGreaterThan(5);
    }
  });

  it('keeps the merged synonyms out', () => {
    for (const old of ['file_too_large', 'payload_too_large', 'body_too_large', 'workflow_invalid', 'no_backend', 'too_many_attempts']) {
      expect(isErrorCode(old)).toBe(false);
      expect(isJobErrorCode(old)).toBe(false);
    }
    expect([errorStatus('too_large'), errorStatus('invalid_workflow'), errorStatus('validation_failed')]).toEqual([413, 400, 400]);
  });

  it('is what the ApiError schema enumerates', () => {
    expect(JSON.stringify(ApiError)).toContain('"too_large"');
    expect(isErrorCode('toString')).toBe(false);
  });

  it('builds job errors from its job codes', () => {
    expect(jobError('disk_full', 'no room')).toEqual({ code: 'disk_full', message: 'no room' });
    expect(Object.keys(JOB_ERROR_CODES)).toContain('invalid_job');
  });
});
