import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { loginProblem } from './loginProblem';

describe('loginProblem', () => {
  it('says how long to wait after too many attempts, in whole minutes', () => {
    expect(loginProblem(new ApiError(429, 'rate_limited', 'Too many failed logins: try again in 15 min', { retryAfterSec: 841 }))).toBe(
      'Too many attempts: try again in 15 min.',
    );
    expect(loginProblem(new ApiError(429, 'rate_limited', 'x', { retryAfterSec: 5 }))).toBe('Too many attempts: try again in 1 min.');
    expect(loginProblem(new ApiError(429, 'rate_limited', 'Slow down'))).toBe('Slow down');
  });

  it('names a wrong password, a malformed name and an unreachable server plainly', () => {
    expect(loginProblem(new ApiError(401, 'invalid_credentials', 'Wrong user name or password'))).toBe('Wrong user name or password.');
    expect(loginProblem(new ApiError(400, 'validation_failed', 'must match pattern', [{ path: '/username', message: 'must match pattern' }]))).toContain('letters, digits');
    expect(loginProblem(new ApiError(0, 'network_error', 'Cannot reach the server. Check that it is running.'))).toBe('Cannot reach the server. Check that it is running.');
  });
});
