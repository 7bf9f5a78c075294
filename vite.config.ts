import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Plugin } from 'vite';

/** In `npm run dev`, /public and its sections load the portal's own page, as the server does. */
const portalPages: Plugin = {
  name: 'jardem-portal-pages',
  configureServer(server) {
    server.middlewares.use((req, _res, next) => {
      if (req.url && /^\/public(\/[^.]*)?(\?.*)?$/.test(req.url)) req.url = '/public.html';
      next();
    });
  },
};

// The client lives in client/ and builds into dist/client, which the server serves: the staff
// app (index.html) and the citizens' portal (public.html), two entries sharing no first-load code.
// `npm run dev` runs this dev server in front of the API on :8787.
export default defineConfig({
  root: 'client',
  plugins: [svelte(), portalPages],
  build: {
    outDir: '../dist/client',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: { input: { main: 'client/index.html', public: 'client/public.html' } },
  },
  server: {
    port: 5173,
    proxy: {
      '/api': 'http://127.0.0.1:8787',
      '/tiles': 'http://127.0.0.1:8787',
      '/open311': 'http://127.0.0.1:8787',
      '/ogc': 'http://127.0.0.1:8787',
      '/feedback': 'http://127.0.0.1:8787',
    },
  },
});
