import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { assetIdForPath, type Config, type V0SiteManifest } from '@orchestrator/shared';
import { buildServer } from '../app.js';
import { cleanup, newRedis, testConfig } from './harness.js';
import { minimalPng } from './gallery-fixtures.js';

/*
 * A server on a real port for the OpenAPI tests (the document, the lint, the generated client): a few
 * gallery images and a saved v0 site with files in sub-folders, indexed by the startup rescan.
 */

export const SITE_CHAT_ID = 'chatOpenApi01';
export const SITE_VERSION_ID = 'ver0001';
export const SITE_FILES: Readonly<Record<string, string>> = {
  'src/app/page.tsx': 'export default function Page() { return <h1>Lighthouse</h1>; }\n',
  'package.json': '{ "name": "lighthouse" }\n',
};
export const IMAGE_COUNT = 5;

export interface DocumentedServer {
  app: FastifyInstance;
  /** http://127.0.0.1:<port> */
  url: string;
  config: Config;
  siteAssetId: string;
  close(): Promise<void>;
}

async function writeFixtures(outputPath: string): Promise<void> {
  const day = path.join(outputPath, '2030-01-01');
  await mkdir(day, { recursive: true });
  for (let i = 1; i <= IMAGE_COUNT; i++) await writeFile(path.join(day, `image_${i}.png`), minimalPng(4, 4));
  const site = path.join(outputPath, 'sites', SITE_CHAT_ID);
  for (const [name, text] of Object.entries(SITE_FILES)) {
    await mkdir(path.dirname(path.join(site, SITE_VERSION_ID, name)), { recursive: true });
    await writeFile(path.join(site, SITE_VERSION_ID, name), text);
  }
  const at = '2030-01-01T00:00:00.000Z';
  const manifest: V0SiteManifest = {
    version: 1,
    chatId: SITE_CHAT_ID,
    title: 'Lighthouse',
    webUrl: `https://v0.app/chat/${SITE_CHAT_ID}`,
    prompt: 'a lighthouse museum',
    createdAt: at,
    updatedAt: at,
    meta: { provider: 'v0', prompt: 'a lighthouse museum' },
    versions: [{ id: SITE_VERSION_ID, status: 'completed', createdAt: at, files: Object.keys(SITE_FILES), filesSaved: true }],
  };
  await writeFile(path.join(site, 'site.json'), JSON.stringify(manifest));
}

/** Builds, indexes and starts a server with its own key prefix (REDIS_URL is honoured by the harness). */
export async function startDocumentedServer(name: string, env: Record<string, string> = {}): Promise<DocumentedServer> {
  const { config, outputPath } = await testConfig(name, { COMFYUI_URLS: 'http://127.0.0.1:18199', RATE_LIMIT_SUBMITS: '0', ...env });
  await writeFixtures(outputPath);
  const redis: Redis = newRedis();
  const app = await buildServer(config, { logger: false, reconcile: false, gallery: { watch: false } });
  await app.gallery.ready;
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    app,
    url: address,
    config,
    siteAssetId: assetIdForPath(`sites/${SITE_CHAT_ID}/site.json`),
    async close() {
      await app.close();
      await cleanup(redis, config, outputPath);
      redis.disconnect();
    },
  };
}
