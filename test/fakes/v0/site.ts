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

/**
 * What a version shows, folded over its prompts: the first prompt sets the heading and paragraph; a
 * follow-up holding design edits (quoted `"before" → "after"` pairs, as the orchestrator's design mode
 * writes them) replaces those texts and classes wherever they occur, the way v0 would edit the source;
 * a `"before" → attachment N` pair puts that message's Nth attached picture where `before` was (an
 * image's src); any other follow-up is listed under the page.
 */
export interface SiteContent {
  heading: string;
  headingClass: string;
  paragraph: string;
  paragraphClass: string;
  imageSrc: string;
  imageAlt: string;
  linkText: string;
  linkHref: string;
  button: string;
  buttonClass: string;
  followUps: string[];
}

const EDIT_PAIR = /("(?:[^"\\]|\\.)*") → (?:("(?:[^"\\]|\\.)*")|attachment ([1-9][0-9]?)\b)/g;

/** The design edits of a message: `"before" → "after"`, or `"before" → attachment N` (that attachment's URL, when it has one). */
function editPairs(message: string, pictures: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (const m of message.matchAll(EDIT_PAIR)) {
    try {
      const after = m[2] !== undefined ? (JSON.parse(m[2]) as string) : pictures[Number(m[3]) - 1];
      if (after !== undefined) out.push([JSON.parse(m[1]!) as string, after]);
    } catch {
      // not JSON after all: not an edit
    }
  }
  return out;
}

/** `pictures[i]`: where the demo finds the attachments of prompt i (their URLs, or the paths the fake serves them at). */
export function siteContent(prompts: readonly string[], pictures: readonly (readonly string[])[] = []): SiteContent {
  const [first = '', ...followUps] = prompts;
  const c: SiteContent = {
    heading: titleOf(first),
    headingClass: 'text-4xl font-bold tracking-tight text-slate-900',
    paragraph: first,
    paragraphClass: 'max-w-xl text-center text-lg text-slate-600',
    imageSrc: '/placeholder.svg?height=160&width=320',
    imageAlt: 'Hero illustration',
    linkText: 'Learn more',
    linkHref: '/about',
    button: 'Get started',
    buttonClass: 'rounded-md bg-slate-900 px-4 py-2 text-white',
    followUps: [],
  };
  for (const [i, f] of followUps.entries()) {
    const pairs = editPairs(f, pictures[i + 1] ?? []);
    if (pairs.length === 0) {
      c.followUps.push(f);
      continue;
    }
    for (const [before, after] of pairs) {
      for (const key of Object.keys(c) as (keyof SiteContent)[]) {
        const value = c[key];
        if (typeof value === 'string' && value === before) (c as unknown as Record<string, string>)[key] = after;
      }
    }
  }
  return c;
}

/** Generated source files of a version: the first prompt plus every follow-up so far. */
export function generateFiles(prompts: readonly string[], pictures: readonly (readonly string[])[] = []): FileEntry[] {
  const c = siteContent(prompts, pictures);
  const page = [
    'export default function Page() {',
    '  return (',
    '    <main className="min-h-screen flex flex-col items-center justify-center gap-6 p-8">',
    `      <img src=${JSON.stringify(c.imageSrc)} alt=${JSON.stringify(c.imageAlt)} className="rounded-lg shadow" width={320} height={160} />`,
    `      <h1 className=${JSON.stringify(c.headingClass)}>${c.heading}</h1>`,
    `      <p className=${JSON.stringify(c.paragraphClass)}>{${JSON.stringify(c.paragraph)}}</p>`,
    '      <div className="flex gap-4 items-center">',
    `        <a href=${JSON.stringify(c.linkHref)} className="text-blue-600 underline">${c.linkText}</a>`,
    `        <button id="cta" className=${JSON.stringify(c.buttonClass)}>${c.button}</button>`,
    '      </div>',
    ...(c.followUps.length > 0 ? ['      <ul>', ...c.followUps.map((f) => `        <li>{${JSON.stringify(f)}}</li>`), '      </ul>'] : []),
    '    </main>',
    '  )',
    '}',
    '',
  ].join('\n');
  const layout = [
    "import './globals.css'",
    '',
    `export const metadata = { title: ${JSON.stringify(c.heading)} }`,
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
export function demoHtml(prompts: readonly string[], pictures: readonly (readonly string[])[] = []): string {
  const c = siteContent(prompts, pictures);
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(c.heading)}</title>
<link rel="stylesheet" href="${DEMO_CSS}">
<script src="${DEMO_JS}" defer></script>
</head>
<body class="bg-white text-slate-900">
<main class="min-h-screen flex flex-col items-center justify-center gap-6 p-8">
<img src="${esc(c.imageSrc)}" alt="${esc(c.imageAlt)}" class="rounded-lg shadow" width="320" height="160">
<h1 class="${esc(c.headingClass)}">${esc(c.heading)}</h1>
<p class="${esc(c.paragraphClass)}">${esc(c.paragraph)}</p>
<div class="flex gap-4 items-center">
<a href="${esc(c.linkHref)}" class="text-blue-600 underline">${esc(c.linkText)}</a>
<button id="cta" class="${esc(c.buttonClass)}">${esc(c.button)}</button>
</div>
${c.followUps.length > 0 ? `<ul>${c.followUps.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>` : ''}
</main>
<span class="badge">SIMULATED v0 preview (protocol fake)</span>
</body>
</html>
`;
}

/** The demo's static files, at absolute paths as a Next.js build serves them (same for every version). */
export const DEMO_CSS = '/_next/static/css/app-fake.css';
export const DEMO_JS = '/_next/static/chunks/main-fake.js';

const UTILITIES: Record<string, string> = {
  'min-h-screen': 'min-height:100vh', flex: 'display:flex', 'flex-col': 'flex-direction:column', 'items-center': 'align-items:center',
  'justify-center': 'justify-content:center', 'gap-4': 'gap:1rem', 'gap-6': 'gap:1.5rem', 'p-8': 'padding:2rem', 'px-4': 'padding-left:1rem;padding-right:1rem',
  'py-2': 'padding-top:.5rem;padding-bottom:.5rem', 'text-sm': 'font-size:.875rem', 'text-lg': 'font-size:1.125rem', 'text-2xl': 'font-size:1.5rem',
  'text-4xl': 'font-size:2.25rem', 'text-5xl': 'font-size:3rem', 'text-6xl': 'font-size:3.75rem', 'font-bold': 'font-weight:700', 'font-normal': 'font-weight:400',
  'tracking-tight': 'letter-spacing:-.025em', italic: 'font-style:italic', underline: 'text-decoration:underline', 'text-center': 'text-align:center',
  'max-w-xl': 'max-width:36rem', 'rounded-md': 'border-radius:.375rem', 'rounded-lg': 'border-radius:.5rem', shadow: 'box-shadow:0 1px 3px rgba(0,0,0,.2)',
  'bg-white': 'background:#fff', 'bg-slate-900': 'background:#0f172a', 'bg-blue-600': 'background:#2563eb', 'bg-red-600': 'background:#dc2626',
  'bg-emerald-600': 'background:#059669', 'text-white': 'color:#fff', 'text-slate-900': 'color:#0f172a', 'text-slate-600': 'color:#475569',
  'text-blue-600': 'color:#2563eb', 'text-red-600': 'color:#dc2626', 'text-emerald-600': 'color:#059669', uppercase: 'text-transform:uppercase',
};

export function demoCss(): string {
  const rules = Object.entries(UTILITIES).map(([k, v]) => `.${k.replace(/[^a-z0-9-]/g, (ch) => `\\${ch}`)}{${v}}`);
  return `/* SIMULATED Tailwind-like utilities (protocol fake) */
body{font-family:system-ui,sans-serif;margin:0}
.badge{position:fixed;bottom:6px;left:6px;font-size:11px;background:#fde68a;padding:1px 5px;border-radius:4px;opacity:.85}
${rules.join('\n')}
`;
}

export function demoJs(): string {
  return `// SIMULATED site script (protocol fake): proves absolute /_next paths load through a proxy.
document.documentElement.dataset.hydrated = 'yes';
var clicks = 0;
var cta = document.getElementById('cta');
if (cta) cta.addEventListener('click', function () { clicks++; cta.dataset.clicks = String(clicks); });
`;
}

export function placeholderSvg(): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="160" viewBox="0 0 320 160"><rect width="320" height="160" fill="#e2e8f0"/><path d="M40 130 110 60l50 50 30-30 90 50z" fill="#94a3b8"/><circle cx="240" cy="45" r="18" fill="#cbd5e1"/></svg>`;
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
