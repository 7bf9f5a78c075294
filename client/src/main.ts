import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';

const target = document.getElementById('app')!;
// The wall display is a page of its own (no navigation to or from it): loaded on demand.
if (/^\/wall\/?$/.test(location.pathname)) {
  void import('./views/Wall.svelte').then(({ default: Wall }) => mount(Wall, { target }));
} else {
  mount(App, { target });
}
