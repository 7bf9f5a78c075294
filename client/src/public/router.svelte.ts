/**
 * The portal's sections as paths under /public: `` (the map), `districts`, `districts/<code>`,
 * `services`, `status`. Links are ordinary anchors; a click inside the portal changes the path
 * without a reload, and the server answers every such path with the portal's page.
 */
export type Section = 'map' | 'districts' | 'services' | 'status';

export const BASE = '/public';

export class PortalRouter {
  path = $state(location.pathname);

  constructor() {
    addEventListener('popstate', () => this.sync());
  }

  private sync() {
    this.path = location.pathname;
  }

  get section(): Section {
    const first = this.path.slice(BASE.length).split('/')[1] ?? '';
    return first === 'districts' || first === 'services' || first === 'status' ? first : 'map';
  }

  /** The district code of /public/districts/<code>, if any. */
  get district(): string | null {
    const m = /^\/public\/districts\/([a-z0-9_-]+)\/?$/.exec(this.path);
    return m ? m[1] : null;
  }

  go(href: string) {
    history.pushState(null, '', href);
    this.sync();
    scrollTo(0, 0);
  }

  /** Click handler for the portal's own links: no reload (other clicks pass through). */
  link = (e: MouseEvent) => {
    const a = (e.target as HTMLElement).closest('a');
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.target) return;
    const url = new URL(a.href);
    if (url.origin !== location.origin || !url.pathname.startsWith(BASE)) return;
    e.preventDefault();
    this.go(url.pathname + url.search);
  };
}
