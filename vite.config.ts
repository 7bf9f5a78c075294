import { readFileSync } from 'node:fs';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

/** In `npm run dev`, /public and its sections load the portal's own page, as the server does. */
const portalPages: Plugin = {
  name: 'jardem-portal-pages',
  configureServer(server) {
    server.middlewares.use((req, _res, next) => {
      if (req.url && /^\/public(\/[^.]*)?(\?.*)?$/.test(req.url)) req.url = '/public.html';
      if (req.url && /^\/field(\/[^.]*)?(\?.*)?$/.test(req.url)) req.url = '/field.html';
      next();
    });
  },
};

// The client lives in client/ and builds into dist/client, which the server serves: the staff
// app (index.html), the citizens' portal (public.html) and the crews' field app (field.html),
// entries sharing no first-load code.
// `npm run dev` runs this dev server in front of the API on :8787.
/**
 * The field app (/field, issue 24) is installable and works offline: its own service worker
 * (field-sw.js, scope /field) precaches only the field entry's first-load files (read from
 * field.html after the build, so the staff app's chunks are not pushed to a phone), and caches
 * at run time what the crew needs without a connection: the work list and appeals, the base
 * map's tiles of the area, fonts, photos and the lazily loaded map chunk.
 */
const fieldPwa = VitePWA({
  injectRegister: false,
  registerType: 'autoUpdate',
  filename: 'field-sw.js',
  manifestFilename: 'field.webmanifest',
  scope: '/field',
  includeAssets: [],
  includeManifestIcons: false,
  manifest: {
    id: '/field',
    name: 'Jardem 109 — field',
    short_name: 'Jardem field',
    description: 'Work list, map and proof of work for the crews of the city services',
    start_url: '/field',
    scope: '/field',
    display: 'standalone',
    orientation: 'portrait',
    background_color: '#ffffff',
    theme_color: '#0b5cad',
    icons: [
      { src: '/field-icon-192.png', sizes: '192x192', type: 'image/png' },
      { src: '/field-icon-512.png', sizes: '512x512', type: 'image/png' },
      { src: '/field-icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
    ],
  },
  workbox: {
    globPatterns: ['field.html', 'field-icon*', 'assets/*.{js,css}'],
    manifestTransforms: [
      async (entries) => {
        // Only what field.html loads first (its script, preloaded chunks and styles).
        const html = readFileSync('dist/client/field.html', 'utf8');
        const wanted = new Set([...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1]));
        return { manifest: entries.filter((e) => !e.url.startsWith('assets/') || wanted.has(e.url)), warnings: [] };
      },
    ],
    navigateFallback: '/field.html',
    navigateFallbackAllowlist: [/^\/field(\/|$)/],
    clientsClaim: true,
    skipWaiting: true,
    runtimeCaching: [
      {
        urlPattern: ({ url }) => url.pathname.startsWith('/assets/'),
        handler: 'CacheFirst',
        options: { cacheName: 'field-assets', expiration: { maxEntries: 60 } },
      },
      {
        urlPattern: ({ url }) => url.pathname.startsWith('/tiles/basemap'),
        handler: 'CacheFirst',
        options: { cacheName: 'field-tiles', expiration: { maxEntries: 4000, maxAgeSeconds: 30 * 86400 } },
      },
      {
        urlPattern: ({ url }) => url.pathname.startsWith('/api/field/photos/'),
        handler: 'CacheFirst',
        options: { cacheName: 'field-photos', expiration: { maxEntries: 200 } },
      },
      {
        urlPattern: ({ url, request }) =>
          request.method === 'GET' &&
          /^\/api\/(field\/work|field\/incidents\/\d+\/proof|incidents\/\d+|meta|districts|auth\/me)$/.test(url.pathname),
        handler: 'NetworkFirst',
        options: { cacheName: 'field-api', networkTimeoutSeconds: 6, expiration: { maxEntries: 400 } },
      },
    ],
  },
});

/** The manifest belongs to the field app only: the staff app and the portal are not installed. */
const manifestOnFieldOnly: Plugin = {
  name: 'jardem-field-manifest-only',
  enforce: 'post',
  transformIndexHtml: {
    order: 'post',
    handler: (html, ctx) => (ctx.filename.endsWith('field.html') ? html : html.replace(/\s*<link rel="manifest"[^>]*>/g, '')),
  },
};

export default defineConfig({
  root: 'client',
  plugins: [svelte(), portalPages, fieldPwa, manifestOnFieldOnly],
  build: {
    outDir: '../dist/client',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: { input: { main: 'client/index.html', public: 'client/public.html', field: 'client/field.html' } },
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
