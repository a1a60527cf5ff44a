import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, readdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { LocalFileStore, safeSiteFileName, siteAssetId } from '@orchestrator/shared';
import { tempOutput } from '../../testing/v0-site.js';
import { DEFAULT_SITE_LIMITS, SiteWriter } from './site-writer.js';

let out: Awaited<ReturnType<typeof tempOutput>>;
let server: Server;
let base: string;
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

beforeAll(async () => {
  out = await tempOutput();
  server = createServer((req, res) => {
    if (req.url === '/shot.png') return void res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    res.writeHead(200, { 'content-type': 'text/html' }).end('<html>not an image</html>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await out.remove();
});

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

describe('site writer', () => {
  it('refuses malicious file names from the API and saves only inside the version folder', async () => {
    const writer = new SiteWriter(new LocalFileStore(out.outputPath));
    const evil = ['../escape.txt', '../../../../tmp/evil', '/etc/passwd', 'app/../../x', 'C:\\win.txt', 'C:x', 'a\\..\\b', '', 'a//b', './x', 'nul\0byte', 'ctl\u0007'];
    const files = [...evil.map((name) => ({ name, content: 'pwned' })), { name: 'app/page.tsx', content: 'ok' }, { name: '.env.example', content: 'A=1' }];
    const { files: saved, refused } = await writer.writeVersion('chatA', 'ver1', files);
    expect(saved).toEqual(['app/page.tsx', '.env.example']);
    expect(refused).toHaveLength(evil.length);
    expect((await walk(out.outputPath)).sort()).toEqual(['sites/chatA/ver1/.env.example', 'sites/chatA/ver1/app/page.tsx']);
  });

  it('refuses files over the size limits and a file that clashes with a folder', async () => {
    const writer = new SiteWriter(new LocalFileStore(out.outputPath), { ...DEFAULT_SITE_LIMITS, maxFileBytes: 10 });
    const { files, refused } = await writer.writeVersion('chatB', 'ver1', [
      { name: 'a', content: 'small' },
      { name: 'a/b', content: 'clash' },
      { name: 'big.txt', content: 'x'.repeat(11) },
    ]);
    expect(files).toEqual(['a']);
    expect(refused).toEqual(['a/b', 'big.txt']);
  });

  it('rejects unsafe chat or version ids', async () => {
    const writer = new SiteWriter(new LocalFileStore(out.outputPath));
    await expect(writer.writeVersion('..', 'v', [])).rejects.toThrow(/unsafe/);
    await expect(writer.writeVersion('c', 'a/b', [])).rejects.toThrow(/unsafe/);
  });

  it('rewriting a version replaces its folder', async () => {
    const writer = new SiteWriter(new LocalFileStore(out.outputPath));
    await writer.writeVersion('chatC', 'v1', [{ name: 'old.txt', content: '1' }]);
    await writer.writeVersion('chatC', 'v1', [{ name: 'new.txt', content: '2' }]);
    expect(await readdir(path.join(out.outputPath, 'sites/chatC/v1'))).toEqual(['new.txt']);
  });

  it('keeps a screenshot only when it really is an image, in a hidden folder the gallery scan skips', async () => {
    const writer = new SiteWriter(new LocalFileStore(out.outputPath));
    const rel = await writer.saveScreenshot('chatD', 'v1', `${base}/shot.png`);
    expect(rel).toBe('sites/chatD/.screenshots/v1.png');
    expect(await readFile(path.join(out.outputPath, rel!))).toEqual(PNG);
    expect(await writer.saveScreenshot('chatD', 'v2', `${base}/page.html`)).toBeNull();
    expect(await writer.saveScreenshot('chatD', 'v3', 'file:///etc/passwd')).toBeNull();
  });

  it('finds the chat of a site asset id', async () => {
    const writer = new SiteWriter(new LocalFileStore(out.outputPath));
    expect(await writer.chatIdOfAsset(siteAssetId('chatA'))).toBe('chatA');
    expect(await writer.chatIdOfAsset('0000000000000000')).toBeNull();
  });

  it('safeSiteFileName keeps ordinary names unchanged', () => {
    expect(safeSiteFileName('components/ui/button.tsx')).toBe('components/ui/button.tsx');
    expect(safeSiteFileName('app/[slug]/page.tsx')).toBe('app/[slug]/page.tsx');
    expect(safeSiteFileName('a/../b')).toBeNull();
  });
});
