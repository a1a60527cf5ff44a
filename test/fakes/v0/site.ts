// What the fake "generates": a small Next.js app per version, the framable demo page (the static
// vusercontent.net renderer) and the v0.app chat page that refuses to be framed.

export interface FileEntry {
  name: string;
  content: string;
  locked: boolean;
}

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function titleOf(prompt: string): string {
  const words = prompt.trim().split(/\s+/).slice(0, 6).join(' ');
  return words.length > 0 ? words[0]!.toUpperCase() + words.slice(1) : 'Untitled';
}

/** Generated source files of a version: the first prompt plus every follow-up so far. */
export function generateFiles(prompts: readonly string[]): FileEntry[] {
  const [first = '', ...followUps] = prompts;
  const page = [
    'export default function Page() {',
    '  return (',
    '    <main className="min-h-screen flex flex-col items-center justify-center gap-4 p-8">',
    `      <h1 className="text-4xl font-bold">{${JSON.stringify(titleOf(first))}}</h1>`,
    `      <p className="text-muted-foreground">{${JSON.stringify(first)}}</p>`,
    ...(followUps.length > 0
      ? ['      <ul>', ...followUps.map((f) => `        <li>{${JSON.stringify(f)}}</li>`), '      </ul>']
      : []),
    '    </main>',
    '  )',
    '}',
    '',
  ].join('\n');
  const layout = [
    "import './globals.css'",
    '',
    `export const metadata = { title: ${JSON.stringify(titleOf(first))} }`,
    '',
    'export default function RootLayout({ children }: { children: React.ReactNode }) {',
    '  return (',
    '    <html lang="en">',
    '      <body>{children}</body>',
    '    </html>',
    '  )',
    '}',
    '',
  ].join('\n');
  return [
    { name: 'app/page.tsx', content: page, locked: false },
    { name: 'app/layout.tsx', content: layout, locked: false },
    { name: 'app/globals.css', content: '@import "tailwindcss";\n', locked: false },
  ];
}

/** The files a ZIP download adds (`includeDefaultFiles=true`). */
export function defaultFiles(): FileEntry[] {
  const pkg = {
    name: 'my-v0-project',
    version: '0.1.0',
    private: true,
    scripts: { dev: 'next dev', build: 'next build', start: 'next start' },
    dependencies: { next: '15.5.0', react: '19.1.0', 'react-dom': '19.1.0' },
    devDependencies: { tailwindcss: '^4', '@tailwindcss/postcss': '^4', typescript: '^5' },
  };
  return [
    { name: 'package.json', content: JSON.stringify(pkg, null, 2) + '\n', locked: false },
    { name: 'next.config.mjs', content: 'const nextConfig = {}\n\nexport default nextConfig\n', locked: false },
    { name: 'postcss.config.mjs', content: "export default { plugins: { '@tailwindcss/postcss': {} } }\n", locked: false },
    { name: 'tsconfig.json', content: JSON.stringify({ compilerOptions: { strict: true, jsx: 'preserve' } }, null, 2) + '\n', locked: false },
  ];
}

/** The demo page (every path under the version's demo URL answers it, like the static renderer). */
export function demoHtml(prompts: readonly string[]): string {
  const [first = '', ...followUps] = prompts;
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(titleOf(first))}</title>
<style>body{font-family:system-ui,sans-serif;margin:0;min-height:100vh;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:1rem;padding:2rem}
.badge{position:fixed;bottom:8px;right:8px;font-size:12px;background:#fde68a;padding:2px 6px;border-radius:4px}</style></head>
<body>
<h1>${esc(titleOf(first))}</h1>
<p>${esc(first)}</p>
${followUps.length > 0 ? `<ul>${followUps.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>` : ''}
<span class="badge">SIMULATED v0 preview (protocol fake)</span>
</body>
</html>
`;
}

export function chatPageHtml(chatId: string, title: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)} - v0 (simulated)</title></head>
<body><h1>${esc(title)}</h1><p>SIMULATED v0.app chat page for ${esc(chatId)} (protocol fake). This page cannot be framed.</p></body></html>
`;
}

/** Headers of the v0.app chat page: it refuses to be embedded (X-Frame-Options plus a CSP frame-ancestors allow-list). */
export const CHAT_PAGE_HEADERS = {
  'x-frame-options': 'DENY',
  'content-security-policy': "frame-ancestors 'self' https://v0.app https://*.v0.app https://www.notion.so",
} as const;
