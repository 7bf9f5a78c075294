import { mount } from 'svelte';
import Portal from './Portal.svelte';
import './portal.css';

// The citizens' portal: its own small entry (no staff app, no map until the map section shows).
mount(Portal, { target: document.getElementById('portal')! });
