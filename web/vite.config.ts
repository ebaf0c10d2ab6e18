import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run build` -> web/dist, which the gateway serves at / (with the SPA fallback for client routes).
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      onwarn(warning, warn) {
        // GraphiQL's react-compiler-runtime opens with "use no memo", a hint to the React compiler (which this
        // build does not run): that the bundler drops the directive changes nothing.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE' && warning.id?.includes('react-compiler-runtime')) return;
        warn(warning);
      },
    },
  },
  server: { proxy: { '/graphql': 'http://127.0.0.1:4000' } },
  logLevel: 'warn',
});
