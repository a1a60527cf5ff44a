import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `npm run build -w web` puts the SPA, relative to this package (src/ or dist/ alike). */
export const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../../web/dist', import.meta.url));

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Orchestrator</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>Orchestrator</h1>
<p>The web interface has not been built yet. Run <code>npm run build</code> and reload this page.</p>
<p>The API is up: see <a href="/api/docs">/api/docs</a> and <a href="/api/health">/api/health</a>.</p>
</body></html>
`;

export type SpaFallback = (request: FastifyRequest, reply: FastifyReply) => FastifyReply;

/**
 * Serves the built SPA at `/`. Vite's hashed files under `assets/` are cached for good; index.html
 * is revalidated every time so a new build shows up at once. Returns the fallback for client-side
 * routes (any non-API GET that is not a file), which answers index.html.
 */
export async function registerSpa(app: FastifyInstance, webDist: string): Promise<SpaFallback> {
  const root = path.resolve(webDist);
  if (!existsSync(path.join(root, 'index.html'))) {
    app.log.warn({ webDist: root }, 'web/dist not found: serving a placeholder page (run npm run build)');
    return (_request, reply) => reply.code(200).type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(NOT_BUILT_PAGE);
  }
  await app.register(fastifyStatic, {
    root,
    wildcard: true,
    index: ['index.html'],
    cacheControl: false,
    dotfiles: 'ignore',
    setHeaders: (reply, filePath) => {
      const rel = path.relative(root, filePath).split(path.sep).join('/');
      reply.header('cache-control', rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      reply.header('x-content-type-options', 'nosniff');
    },
  });
  return (_request, reply) => reply.header('cache-control', 'no-cache').sendFile('index.html', root);
}
