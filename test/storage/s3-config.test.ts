import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError, SECRET_LOG_PATHS, parseConfig } from '@orchestrator/shared';

const S3 = { STORAGE: 's3', S3_BUCKET: 'studio-out', S3_REGION: 'us-east-1', S3_ACCESS_KEY_ID: 'AKIAEXAMPLE', S3_SECRET_ACCESS_KEY: 'not-to-be-shown' };

describe('STORAGE=s3 configuration', () => {
  it('is local storage by default, exactly as before', () => {
    expect(parseConfig({}).storage).toEqual({ kind: 'local' });
    expect(parseConfig({ STORAGE: 'local' }).storage).toEqual({ kind: 'local' });
  });

  it('parses the bucket, endpoint, path style and presigned reads', () => {
    expect(parseConfig({ ...S3, S3_ENDPOINT: 'http://minio:9000/', S3_FORCE_PATH_STYLE: 'true', S3_PUBLIC_READS: 'presigned' }).storage).toEqual({
      kind: 's3',
      endpoint: 'http://minio:9000',
      bucket: 'studio-out',
      region: 'us-east-1',
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: 'not-to-be-shown',
      forcePathStyle: true,
      publicReads: 'presigned',
    });
    expect(parseConfig(S3).storage).toMatchObject({ endpoint: undefined, forcePathStyle: false, publicReads: 'stream' });
  });

  it('refuses to boot with a clear message when a key is missing or malformed, never echoing a secret', () => {
    for (const key of ['S3_BUCKET', 'S3_REGION', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const) {
      const env: Record<string, string> = { ...S3 };
      delete env[key];
      expect(() => parseConfig(env)).toThrow(new ConfigError(`STORAGE=s3 needs ${key} (missing)`));
    }
    expect(() => parseConfig({ ...S3, S3_BUCKET: 'Bad_Bucket' })).toThrow(/Invalid S3_BUCKET \(got "Bad_Bucket"\): expected a bucket name/);
    expect(() => parseConfig({ ...S3, S3_ENDPOINT: 'minio:9000' })).toThrow(/Invalid S3_ENDPOINT .*http/);
    expect(() => parseConfig({ ...S3, STORAGE: 'gcs' })).toThrow(/Invalid STORAGE .*local .* or s3/);
    let message = '';
    try {
      parseConfig({ ...S3, S3_SECRET_ACCESS_KEY: 'x'.repeat(600) });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^Invalid S3_SECRET_ACCESS_KEY: expected/);
    expect(message).not.toContain('xxxx');
  });

  it('says so when S3 keys are set without STORAGE=s3', () => {
    expect(() => parseConfig({ S3_BUCKET: 'studio-out' })).toThrow(/S3_BUCKET is set but STORAGE is not/);
  });

  it('redacts the credentials from logs (the redaction the server and worker loggers use)', () => {
    const lines: string[] = [];
    const log = pino({ redact: { paths: [...SECRET_LOG_PATHS], censor: '[redacted]' } }, { write: (l: string) => void lines.push(l) });
    const config = parseConfig(S3);
    log.info({ config }, 'boot');
    log.info({ storage: config.storage }, 'storage');
    expect(lines.join('')).not.toContain('not-to-be-shown');
    expect(lines.join('')).not.toContain('AKIAEXAMPLE');
    expect(lines.join('')).toContain('studio-out');
  });
});
