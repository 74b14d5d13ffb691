import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The dashboard: built into web/dist and served by the API server at `/` (src/http/web-app.ts).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  logLevel: 'warn',
});
