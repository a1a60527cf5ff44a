import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const sharedEntry = fileURLToPath(new URL('../shared/src/browser.ts', import.meta.url));
const apiTarget = process.env.ORCHESTRATOR_API ?? 'http://127.0.0.1:3002';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  resolve: {
    // Source, not shared/dist: the SPA builds without a prior build of shared, and never sees store.ts.
    alias: [{ find: /^@orchestrator\/shared$/, replacement: sharedEntry }],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The FLUX, video and site forms and the site inspector are lazy chunks; the budget that matters is
    // initial JS ≤ 250 KB gzip (index + endpoints + react-query chunks: ~170 KB).
    chunkSizeWarningLimit: 700,
  },
  server: {
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false, ws: true },
    },
  },
});
