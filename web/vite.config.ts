// Two pages, one build: the comparison page (index.html, served on `/`) and GraphiQL
// (graphiql.html, served on `GET /graphql` to browsers). Everything they load is bundled under
// `assets/` with content hashes: nothing comes from a CDN, so both work on a closed network.
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  build: {
    // Monaco (GraphiQL's editor) is large by nature; a warning about it helps nobody.
    chunkSizeWarningLimit: 5000,
    // No inline data: URLs for fonts and images; the server serves them with their types.
    assetsInlineLimit: 0,
    rollupOptions: {
      onwarn(warning, warn) {
        // GraphiQL's packages carry React-compiler directives ("use no memo") that bundling
        // drops, harmlessly; one line per file of them hides real warnings.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
      input: {
        index: resolve(import.meta.dirname, 'index.html'),
        graphiql: resolve(import.meta.dirname, 'graphiql.html'),
      },
    },
  },
  worker: { format: 'es' },
  server: {
    // `npm run dev`: the page on Vite's server, the API on the Rust server.
    proxy: { '/graphql': 'http://127.0.0.1:8080' },
  },
});
