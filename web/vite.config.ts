import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run build` -> web/dist, which the gateway serves at / (with the SPA fallback for client routes).
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1200 },
  server: { proxy: { '/graphql': 'http://127.0.0.1:4000' } },
  logLevel: 'warn',
});
