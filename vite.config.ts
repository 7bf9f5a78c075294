import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

// The client lives in client/ and builds into dist/client, which the server serves.
// `npm run dev` runs this dev server in front of the API on :8787.
export default defineConfig({
  root: 'client',
  plugins: [svelte()],
  build: { outDir: '../dist/client', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1500 },
  server: {
    port: 5173,
    proxy: { '/api': 'http://127.0.0.1:8787', '/tiles': 'http://127.0.0.1:8787', '/open311': 'http://127.0.0.1:8787', '/ogc': 'http://127.0.0.1:8787' },
  },
});
