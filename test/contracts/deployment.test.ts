import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { parse } from 'yaml';

/*
 * The deployment files, checked by reading (no Docker engine here): both Dockerfiles lint clean with
 * dockerfilelint and run as a non-root user with a HEALTHCHECK and ffmpeg (and the native PNG decoder with
 * its libdeflate); the compose files reference
 * them, have health checks and wait for healthy dependencies, and reach a ComfyUI on the Docker host.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const lint = (createRequire(import.meta.url)('dockerfilelint') as { run(dir: string, content: string): { rule: string; line: number; title: string }[] }).run;
const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');

interface ComposeService {
  build?: { context: string; dockerfile: string };
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  extra_hosts?: string[];
  environment?: Record<string, string>;
}

describe('Dockerfile.server and Dockerfile.worker', () => {
  for (const file of ['Dockerfile.server', 'Dockerfile.worker']) {
    it(`${file}: lints clean, multi-stage from the lockfile, non-root, HEALTHCHECK, ffmpeg`, () => {
      const text = read(file);
      expect(lint(ROOT, text).map((p) => `${p.line}: ${p.rule} ${p.title}`)).toEqual([]);
      expect(text.match(/^FROM /gm)).toHaveLength(2);
      expect(text).toContain('npm ci');
      expect(text).toContain('COPY package.json package-lock.json');
      expect(text).toMatch(/^USER node$/m);
      expect(text).toMatch(/^HEALTHCHECK /m);
      expect(text).toMatch(/apt-get install -y --no-install-recommends ffmpeg/);
      expect(text).toMatch(/^FROM node:24/m);
    });

    it(`${file}: ships each package's lua/ folder beside its dist/ (the Lua scripts are read at run time)`, () => {
      const text = read(file);
      const shipped = [...text.matchAll(/^COPY --from=build .*\/app\/(\w+)\/dist \1\/dist$/gm)].map((m) => m[1]!);
      expect(shipped).toContain('shared');
      for (const pkg of shipped.filter((p) => existsSync(path.join(ROOT, p, 'lua')))) {
        expect(text).toMatch(new RegExp(`^COPY --from=build .*/app/${pkg}/lua ${pkg}/lua$`, 'm'));
      }
    });

    it(`${file}: builds the native PNG decoder and ships it with the libdeflate it loads`, () => {
      const text = read(file);
      const [build, runtime] = text.split(/^FROM .*$/m).slice(1);
      expect(build).toMatch(/apt-get install -y --no-install-recommends gcc libc6-dev/);
      expect(build).toMatch(/^COPY scripts\/build-native\.mjs scripts\/$/m);
      expect(build).toMatch(/mkdir -p .*\bshared\/native\/build/);
      expect(runtime).toMatch(/apt-get install -y --no-install-recommends .*\blibdeflate0\b/);
      expect(runtime).toMatch(/^COPY --from=build .*\/app\/shared\/native\/build shared\/native\/build$/m);
      // The folder is built in the image, never copied from the host (another architecture, or stale).
      expect(read('.dockerignore').split('\n')).toContain('shared/native/build');
    });

    it(`${file}: ships the dependencies npm nests in a package's own node_modules (the lockfile has some: server/node_modules/p-limit)`, () => {
      const text = read(file);
      const shipped = [...text.matchAll(/^COPY --from=build .*\/app\/(\w+)\/dist \1\/dist$/gm)].map((m) => m[1]!);
      const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { dev?: boolean }> };
      // web/dist is static files: only the packages Node runs need their modules.
      for (const pkg of shipped.filter((p) => p !== 'web')) {
        const nestedForRuntime = Object.entries(lock.packages).some(([where, info]) => where.startsWith(`${pkg}/node_modules/`) && !info.dev);
        // The build stage makes the folder even when empty, so the COPY never depends on how npm laid things out.
        expect(text).toMatch(new RegExp(`mkdir -p .*\\b${pkg}/node_modules`));
        if (nestedForRuntime || pkg === 'shared') expect(text).toMatch(new RegExp(`^COPY --from=build .*/app/${pkg}/node_modules ${pkg}/node_modules$`, 'm'));
      }
    });
  }
});

describe('docker compose files', () => {
  it('docker-compose.yml: every service has a health check, waits for healthy dependencies, and reaches host.docker.internal', () => {
    const compose = parse(read('docker-compose.yml')) as { services: Record<string, ComposeService> };
    const { redis, server, worker } = compose.services;
    expect(server?.build).toEqual({ context: '.', dockerfile: 'Dockerfile.server' });
    expect(worker?.build).toEqual({ context: '.', dockerfile: 'Dockerfile.worker' });
    expect(redis?.healthcheck?.test).toContain('ping');
    expect(server?.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
    expect(worker?.depends_on).toEqual({ redis: { condition: 'service_healthy' }, server: { condition: 'service_healthy' } });
    for (const s of [server, worker]) expect(s?.extra_hosts).toContain('host.docker.internal:host-gateway');
    expect(read('docker-compose.yml')).toContain('COMFYUI_URLS=http://host.docker.internal:8188');
    // Bound to 0.0.0.0 in the container, so boot wants AUTH set: compose says which.
    expect(server?.environment?.AUTH).toBeDefined();
  });

  it('docker-compose.worker.yml: a worker alone, built from Dockerfile.worker', () => {
    const compose = parse(read('docker-compose.worker.yml')) as { services: Record<string, ComposeService> };
    expect(Object.keys(compose.services)).toEqual(['worker']);
    expect(compose.services.worker?.build).toEqual({ context: '.', dockerfile: 'Dockerfile.worker' });
    for (const f of ['Dockerfile.server', 'Dockerfile.worker', 'tsconfig.json']) expect(existsSync(path.join(ROOT, f)), f).toBe(true);
  });
});
