/** The views this client knows; anything else goes to the control room. */
export type Route =
  | { name: 'city' }
  | { name: 'intake' }
  | { name: 'queue' }
  | { name: 'hotspots' }
  | { name: 'admin' }
  | { name: 'outages' }
  | { name: 'district'; code: string }
  | { name: 'incident'; id: number };

export function parseRoute(path: string): Route | null {
  const clean = path.replace(/\/+$/, '') || '/';
  if (clean === '/') return { name: 'city' };
  if (clean === '/intake') return { name: 'intake' };
  if (clean === '/queue') return { name: 'queue' };
  if (clean === '/hotspots') return { name: 'hotspots' };
  if (clean === '/admin') return { name: 'admin' };
  if (clean === '/outages') return { name: 'outages' };
  let m = /^\/districts\/([a-z0-9_.-]{1,128})$/.exec(clean);
  if (m) return { name: 'district', code: m[1] };
  m = /^\/incidents\/(\d{1,15})$/.exec(clean);
  if (m) return { name: 'incident', id: Number(m[1]) };
  return null;
}
