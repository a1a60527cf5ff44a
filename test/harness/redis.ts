/**
 * The Redis every test and benchmark talks to: REDIS_URL (a database index included, e.g.
 * redis://127.0.0.1:6379/3), else the local default. Each test file adds a key prefix of its own, so
 * two checkouts can test side by side on one Redis.
 */
export const TEST_REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
