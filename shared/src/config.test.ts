import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.js';

describe('parseConfig', () => {
  it('applies the documented defaults', () => {
    const c = parseConfig({}, '/srv/app');
    expect(c).toMatchObject({
      port: 3002,
      host: '127.0.0.1',
      redisUrl: 'redis://127.0.0.1:6379',
      dataPath: '/srv/app/data',
      outputPath: '/srv/app/data/output',
      bflApiUrl: 'https://api.bfl.ai',
      v0ApiUrl: 'https://api.v0.dev/v1',
      comfyuiUrls: [],
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads COMFYUI_URLS as a trimmed, de-duplicated list and accepts COMFYUI_URL', () => {
    expect(parseConfig({ COMFYUI_URLS: ' http://a:8188/ , http://b:8188,http://a:8188' }).comfyuiUrls).toEqual(['http://a:8188', 'http://b:8188']);
    expect(parseConfig({ COMFYUI_URL: 'http://gpu:8188' }).comfyuiUrls).toEqual(['http://gpu:8188']);
  });

  it('reads PREVIEW_UPSTREAM_TIMEOUT_MS (default 15 s) and refuses values outside 100 ms-10 min', () => {
    expect(parseConfig({}).previewUpstreamTimeoutMs).toBe(15000);
    expect(parseConfig({ PREVIEW_UPSTREAM_TIMEOUT_MS: '2500' }).previewUpstreamTimeoutMs).toBe(2500);
    expect(() => parseConfig({ PREVIEW_UPSTREAM_TIMEOUT_MS: '5s' })).toThrow(/Invalid PREVIEW_UPSTREAM_TIMEOUT_MS \(got "5s"\): expected milliseconds between 100 and 600000/);
    expect(() => parseConfig({ PREVIEW_UPSTREAM_TIMEOUT_MS: '50' })).toThrow(ConfigError);
    expect(() => parseConfig({ PREVIEW_UPSTREAM_TIMEOUT_MS: '900000' })).toThrow(/PREVIEW_UPSTREAM_TIMEOUT_MS.*between 100 and 600000/);
  });

  it('treats empty values as unset, so an empty key is "not configured"', () => {
    expect(parseConfig({ BFL_API_KEY: '', PORT: '' })).toMatchObject({ bflApiKey: undefined, port: 3002 });
  });

  it('stops boot with a message naming the key and what it should be', () => {
    expect(() => parseConfig({ PORT: 'abc' })).toThrow(/Invalid PORT \(got "abc"\): expected a port number/);
    expect(() => parseConfig({ PORT: '70000' })).toThrow(ConfigError);
    expect(() => parseConfig({ REDIS_URL: 'localhost:6379' })).toThrow(/REDIS_URL.*redis:\/\//);
    expect(() => parseConfig({ COMFYUI_URLS: 'ftp://x' })).toThrow(/COMFYUI_URLS/);
    expect(() => parseConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL.*one of/);
  });

  it('reads TRUST_PROXY as off, a number of hops, or a list of proxy addresses', () => {
    expect(parseConfig({}).trustProxy).toBe(false);
    expect(parseConfig({ TRUST_PROXY: 'off' }).trustProxy).toBe(false);
    expect(parseConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(parseConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toEqual(['loopback', '10.0.0.0/8']);
    expect(() => parseConfig({ TRUST_PROXY: 'a b' })).toThrow(/TRUST_PROXY/);
  });

  it('takes KEY_PREFIX plain or as one Redis Cluster hash tag ({orch}), nothing half-braced', () => {
    expect(parseConfig({}).keyPrefix).toBe('orch');
    expect(parseConfig({ KEY_PREFIX: 'team-a:orch' }).keyPrefix).toBe('team-a:orch');
    expect(parseConfig({ KEY_PREFIX: '{orch}' }).keyPrefix).toBe('{orch}');
    for (const bad of ['{orch', 'orch}', '{}', '{a}{b}', 'a b', '{orch}x'])
      expect(() => parseConfig({ KEY_PREFIX: bad }), bad).toThrow(/Invalid KEY_PREFIX.*braces/);
  });

  it('never echoes a secret in its error message', () => {
    expect(() => parseConfig({ BFL_API_URL: 'nope', BFL_API_KEY: 'sk-secret' })).toThrow(/^(?!.*sk-secret)/);
  });
});
