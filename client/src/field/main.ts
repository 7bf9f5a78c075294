import { mount } from 'svelte';
import Field from './Field.svelte';
import './field.css';

// The crews' field app: its own small entry (no staff app, no map until the map tab opens).
mount(Field, { target: document.getElementById('field')! });

// Installable and offline: the service worker of vite.config.ts (scope /field), in builds only.
if ('serviceWorker' in navigator && import.meta.env.PROD) {
  void navigator.serviceWorker.register('/field-sw.js', { scope: '/field' }).catch(() => undefined);
}
