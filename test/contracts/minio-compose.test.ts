import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { parseConfig } from '@orchestrator/shared';

/* docker-compose.minio.yml, checked by reading (no Docker engine here). */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Service {
  image?: string;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
}

describe('docker-compose.minio.yml', () => {
  const text = readFileSync(path.join(ROOT, 'docker-compose.minio.yml'), 'utf8');
  const compose = parse(text) as { services: Record<string, Service> };

  it('runs MinIO with a health check, creates the bucket once, and makes the server and workers wait for it', () => {
    expect(compose.services.minio?.healthcheck?.test).toEqual(['CMD', 'mc', 'ready', 'local']);
    expect(compose.services['minio-init']?.depends_on).toEqual({ minio: { condition: 'service_healthy' } });
    for (const name of ['server', 'worker']) {
      expect(compose.services[name]?.depends_on).toEqual({ 'minio-init': { condition: 'service_completed_successfully' } });
    }
  });

  it('gives the server and the workers the same STORAGE=s3 settings, which the config accepts, and no secret', () => {
    const server = compose.services.server!.environment!;
    expect(compose.services.worker!.environment).toEqual(server);
    expect(server).toMatchObject({ STORAGE: 's3', S3_ENDPOINT: 'http://minio:9000', S3_FORCE_PATH_STYLE: 'true' });
    expect(Object.keys(server)).not.toContain('S3_SECRET_ACCESS_KEY'); // from .env
    const env = { ...server, S3_BUCKET: 'orchestrator', S3_REGION: 'us-east-1', S3_ACCESS_KEY_ID: 'studio', S3_SECRET_ACCESS_KEY: 'from-dot-env' };
    expect(parseConfig(env).storage).toMatchObject({ kind: 's3', endpoint: 'http://minio:9000', forcePathStyle: true });
    expect(text).not.toMatch(/S3_SECRET_ACCESS_KEY:\s*["']?[A-Za-z0-9]/);
  });
});
