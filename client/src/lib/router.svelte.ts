import { getContext, setContext } from 'svelte';
import { parseRoute, type Route } from './routes.ts';

/**
 * A tiny History API router. The path picks the view; the query string (UrlState) carries the
 * view's state and is kept across navigations, so filters survive a drill-down and back.
 */
export class Router {
  path = $state('/');
  route = $derived<Route>(parseRoute(this.path) ?? { name: 'city' });

  constructor(private readonly search: () => string) {
    const initial = location.pathname;
    if (!parseRoute(initial)) {
      history.replaceState(null, '', `/${location.search}`);
      this.path = '/';
    } else {
      this.path = initial;
    }
  }

  /** Goes to `path` (a new history entry), keeping the current query string. */
  navigate(path: string, { replace = false } = {}) {
    if (!parseRoute(path)) path = '/';
    this.path = path;
    const url = path + this.search();
    if (replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
  }

  /** Click handler for in-app links: plain left clicks navigate without a page load. */
  link = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const a = (event.currentTarget as HTMLElement).closest('a');
    if (!a || a.target || a.origin !== location.origin) return;
    event.preventDefault();
    this.navigate(a.pathname);
  };
}

const KEY = Symbol('router');
export const setRouter = (r: Router) => setContext(KEY, r);
export const getRouter = () => getContext<Router>(KEY);
