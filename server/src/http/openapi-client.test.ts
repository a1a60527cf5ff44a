import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { IMAGE_COUNT, SITE_FILES, SITE_VERSION_ID, startDocumentedServer, type DocumentedServer } from '../testing/openapi-server.js';

/*
 * A client generated from the live document, used as a client author would: openapi-typescript makes
 * the types, openapi-fetch the calls, and a small script submits a job, follows it (reads it, finds it
 * among the queued), cancels it, pages through the gallery and reads a site file (a path with
 * slashes). The script must type-check under
 * strict TypeScript with no hand-fixing of the generated file (and the types must be real: a job
 * request without a prompt is an error), then run against an in-process server.
 */

const RUN_TIMEOUT_MS = 30_000;

const CLIENT_SCRIPT = `import createClient from 'openapi-fetch';
import type { components, paths } from './schema.js';

type Job = components['schemas']['Job'];
type Asset = components['schemas']['Asset'];

export async function run(baseUrl: string, siteAssetId: string) {
  const client = createClient<paths>({ baseUrl });

  const submitted = await client.POST('/api/jobs', {
    body: { provider: 'comfyui', kind: 'image', prompt: 'a lighthouse at dusk', params: { steps: 4, width: 512, height: 512 }, priority: 'low' },
  });
  if (!submitted.data) throw new Error(\`submit: \${submitted.response.status} \${JSON.stringify(submitted.error)}\`);
  const id: string = submitted.data.id;

  const read = await client.GET('/api/jobs/{id}', { params: { path: { id } } });
  if (!read.data) throw new Error(\`read: \${read.response.status}\`);
  const job: Job = read.data;
  // The request is a union discriminated by provider.
  if (job.request.provider !== 'comfyui') throw new Error(\`read: a \${job.request.provider} job\`);
  const prompt: string | undefined = job.request.prompt;

  // Follows it: the queued jobs (filtered by a typed enum) list it until it is cancelled.
  const queued = await client.GET('/api/jobs', { params: { query: { status: 'queued', provider: 'comfyui', limit: 50 } } });
  if (!queued.data) throw new Error(\`list: \${queued.response.status}\`);
  const followed: boolean = queued.data.items.some((j: Job) => j.id === id);

  const cancelled = await client.DELETE('/api/jobs/{id}', { params: { path: { id } } });
  if (!cancelled.data) throw new Error(\`cancel: \${cancelled.response.status} \${JSON.stringify(cancelled.error)}\`);
  const status: 'cancelled' = cancelled.data.status;
  const after = await client.GET('/api/jobs/{id}', { params: { path: { id } } });

  const assets: Asset[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await client.GET('/api/assets', { params: { query: { limit: 2, ...(cursor ? { cursor } : {}) } } });
    if (!page.data) throw new Error(\`assets: \${page.response.status}\`);
    assets.push(...page.data.items);
    cursor = page.data.nextCursor;
    pages++;
  } while (cursor !== undefined && pages < 50);

  const file = await client.GET('/api/sites/{assetId}/versions/{versionId}/files/{path}', {
    params: { path: { assetId: siteAssetId, versionId: '${SITE_VERSION_ID}', path: 'src/app/page.tsx' } },
    parseAs: 'text',
  });
  if (file.data === undefined) throw new Error(\`site file: \${file.response.status}\`);

  return { id, prompt, followed, readStatus: job.status, cancelStatus: status, afterStatus: after.data?.status, pages, assets: assets.map((a) => a.type), siteFile: file.data };
}

// The generated types are real, not \`any\`: each of these is an error.
export async function wrong(client: ReturnType<typeof createClient<paths>>) {
  // @ts-expect-error a FLUX request needs a prompt
  await client.POST('/api/jobs', { body: { provider: 'flux', kind: 'image' } });
  // @ts-expect-error FLUX makes no videos
  await client.POST('/api/jobs', { body: { provider: 'flux', kind: 'video', prompt: 'x' } });
  // @ts-expect-error no such provider
  await client.POST('/api/jobs', { body: { provider: 'midjourney', kind: 'image', prompt: 'x' } });
  // @ts-expect-error the job id is a string
  await client.GET('/api/jobs/{id}', { params: { path: { id: 42 } } });
  // @ts-expect-error no such job status
  await client.GET('/api/jobs', { params: { query: { status: 'sleeping' } } });
}
`;

/** Runs the script's `run` with the server's URL (plain JS: the script itself needs no Node types). */
const MAIN_SCRIPT = `import { run } from './client.mjs';
const [baseUrl, siteAssetId] = process.argv.slice(2);
console.log(JSON.stringify(await run(baseUrl, siteAssetId)));
`;

const COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: false,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
  types: [],
  skipLibCheck: true,
  noEmit: true,
};

let server: DocumentedServer;
let dir: string;

beforeAll(async () => {
  server = await startDocumentedServer('openapi-client');
  dir = await mkdtemp(path.join(tmpdir(), 'orch-openapi-client-'));
  // The client's one runtime dependency, as an install would put it beside the script.
  const fetchPackage = path.dirname(createRequire(import.meta.url).resolve('openapi-fetch/package.json'));
  await mkdir(path.join(dir, 'node_modules'));
  await symlink(fetchPackage, path.join(dir, 'node_modules/openapi-fetch'), 'dir');
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
}, 30_000);

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function runScript(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [file, ...args], { cwd: dir, timeout: RUN_TIMEOUT_MS }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
  });
}

describe('a client generated with openapi-typescript + openapi-fetch', () => {
  it(
    'type-checks under strict TypeScript and submits, reads, cancels and pages through the live server',
    async () => {
      const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as OpenAPI3;
      const started = Date.now();
      const types = astToString(await openapiTS(doc, { silent: true }));
      await writeFile(path.join(dir, 'schema.ts'), types);
      await writeFile(path.join(dir, 'client.ts'), CLIENT_SCRIPT);

      const program = ts.createProgram([path.join(dir, 'client.ts')], COMPILER_OPTIONS);
      const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
        const where = d.file && d.start !== undefined ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1} ` : '';
        return `${where}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
      expect(diagnostics, 'tsc --strict on the generated client and the script').toEqual([]);
      console.log(`generated client: ${types.length} chars of types, generated and checked in ${Date.now() - started} ms`);

      const js = ts.transpileModule(CLIENT_SCRIPT, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
      await writeFile(path.join(dir, 'client.mjs'), js);
      await writeFile(path.join(dir, 'main.mjs'), MAIN_SCRIPT);
      const result = JSON.parse(await runScript(path.join(dir, 'main.mjs'), [server.url, server.siteAssetId])) as {
        id: string;
        prompt: string;
        followed: boolean;
        readStatus: string;
        cancelStatus: string;
        afterStatus: string;
        pages: number;
        assets: string[];
        siteFile: string;
      };
      expect(result.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(result.prompt).toBe('a lighthouse at dusk');
      expect(result.followed).toBe(true);
      expect(result.readStatus).toBe('queued');
      expect(result.cancelStatus).toBe('cancelled');
      expect(result.afterStatus).toBe('cancelled');
      // The gallery: the images and the site, two to a page.
      expect(result.assets.filter((t) => t === 'image')).toHaveLength(IMAGE_COUNT);
      expect(result.assets).toContain('site');
      expect(result.pages).toBe(Math.ceil(result.assets.length / 2));
      expect(result.siteFile).toBe(SITE_FILES['src/app/page.tsx']);
    },
    120_000,
  );
});
