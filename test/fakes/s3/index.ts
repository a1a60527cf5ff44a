/*
 * A real S3 protocol server for the tests (the `s3rver` package: objects on local disk, SigV4 checked,
 * ranges, multipart, copy, listing), on a free loopback port, like the other fakes. Never a mock of
 * the SDK: the product's @aws-sdk/client-s3 talks HTTP to it as to MinIO or AWS.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

export interface FakeS3 {
  url: string;
  bucket: string;
  /** STORAGE=s3 and the S3_ keys that reach it. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** s3rver's fixed credentials. */
const KEY = 'S3RVER';

export async function startFakeS3(o: { bucket?: string } = {}): Promise<FakeS3> {
  const bucket = o.bucket ?? 'orchestrator-test';
  const directory = await mkdtemp(path.join(tmpdir(), 'orch-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const address = await server.run();
  const url = `http://127.0.0.1:${address.port}`;
  return {
    url,
    bucket,
    env: {
      STORAGE: 's3',
      S3_ENDPOINT: url,
      S3_BUCKET: bucket,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: KEY,
      S3_SECRET_ACCESS_KEY: KEY,
      S3_FORCE_PATH_STYLE: 'true',
    },
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
