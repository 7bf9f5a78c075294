import { getContext, setContext } from 'svelte';
import { isYmd, periodRange, PERIODS, type Period } from './period.ts';

/**
 * Everything that makes a view reproducible lives in the query string: filters, period, map
 * view, selection, choropleth mode and visible layers. A copied link opens the same view.
 *
 *   ?status=open,overdue&category=heating&period=7d&c=71.378,42.9&z=12.5&sel=123&mode=per10k&layers=heat
 */
export const FILTER_KEYS = ['status', 'type', 'category', 'channel', 'service'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filters = Record<FilterKey, string[]>;

export const LAYER_KEYS = ['choropleth', 'heat', 'clusters'] as const;
export type LayerKey = (typeof LAYER_KEYS)[number];
export const DEFAULT_LAYERS: LayerKey[] = ['choropleth', 'heat', 'clusters'];

export type ChoroplethMode = 'count' | 'per10k';

export interface MapView {
  /** [lng, lat] */
  center: [number, number];
  zoom: number;
}

export const emptyFilters = (): Filters => ({ status: [], type: [], category: [], channel: [], service: [] });

const CODE = /^[a-z0-9_.-]{1,128}$/;
const list = (v: string | null): string[] =>
  v
    ? [
        ...new Set(
          v
            .split(',')
            .map((s) => s.trim())
            .filter((s) => CODE.test(s)),
        ),
      ]
    : [];

export class UrlState {
  filters = $state<Filters>(emptyFilters());
  period = $state<Period>('all');
  /** custom period, inclusive dates YYYY-MM-DD */
  from = $state('');
  to = $state('');
  view = $state<MapView | null>(null);
  sel = $state<number | null>(null);
  mode = $state<ChoroplethMode>('count');
  layers = $state<LayerKey[]>([...DEFAULT_LAYERS]);

  constructor(search = '') {
    this.read(search);
  }

  /** Replaces the state with what `search` says (missing keys take their defaults). */
  read(search: string) {
    const p = new URLSearchParams(search);
    const f = emptyFilters();
    for (const k of FILTER_KEYS) f[k] = list(p.get(k));
    this.filters = f;
    const period = p.get('period') as Period | null;
    this.from = isYmd(p.get('from')) ? p.get('from')! : '';
    this.to = isYmd(p.get('to')) ? p.get('to')! : '';
    this.period = period && PERIODS.includes(period) ? period : this.from || this.to ? 'custom' : 'all';
    const c = (p.get('c') ?? '').split(',').map(Number);
    const z = Number(p.get('z'));
    this.view =
      c.length === 2 && c.every(Number.isFinite) && Math.abs(c[0]) <= 180 && Math.abs(c[1]) <= 90 && p.get('z') && Number.isFinite(z)
        ? { center: [c[0], c[1]], zoom: Math.min(Math.max(z, 0), 22) }
        : null;
    const sel = Number(p.get('sel'));
    this.sel = Number.isSafeInteger(sel) && sel > 0 ? sel : null;
    this.mode = p.get('mode') === 'per10k' ? 'per10k' : 'count';
    const layers = p.get('layers');
    this.layers = layers === null ? [...DEFAULT_LAYERS] : LAYER_KEYS.filter((k) => layers.split(',').includes(k));
  }

  /** The query string for the current state ('' or '?...'), defaults left out. */
  toSearch(): string {
    const p = new URLSearchParams();
    for (const k of FILTER_KEYS) if (this.filters[k].length) p.set(k, this.filters[k].join(','));
    if (this.period !== 'all') p.set('period', this.period);
    if (this.period === 'custom') {
      if (this.from) p.set('from', this.from);
      if (this.to) p.set('to', this.to);
    }
    if (this.mode !== 'count') p.set('mode', this.mode);
    const layers = LAYER_KEYS.filter((k) => this.layers.includes(k));
    if (layers.join() !== DEFAULT_LAYERS.join()) p.set('layers', layers.join(','));
    if (this.sel) p.set('sel', String(this.sel));
    if (this.view) {
      p.set('c', `${this.view.center[0].toFixed(5)},${this.view.center[1].toFixed(5)}`);
      p.set('z', this.view.zoom.toFixed(2));
    }
    // commas read better than %2C in a shared link
    const s = p.toString().replace(/%2C/g, ',');
    return s ? `?${s}` : '';
  }

  /** Filters that the user changed from the defaults (for the "active filters" badge). */
  get activeFilterCount(): number {
    return FILTER_KEYS.reduce((n, k) => n + this.filters[k].length, 0) + (this.period !== 'all' ? 1 : 0);
  }

  setFilter(key: FilterKey, values: string[]) {
    this.filters = { ...this.filters, [key]: [...new Set(values)] };
  }

  toggleFilter(key: FilterKey, value: string) {
    const cur = this.filters[key];
    this.setFilter(key, cur.includes(value) ? cur.filter((v) => v !== value) : [...cur, value]);
  }

  resetFilters() {
    this.filters = emptyFilters();
    this.period = 'all';
    this.from = '';
    this.to = '';
  }

  toggleLayer(key: LayerKey) {
    this.layers = this.layers.includes(key) ? this.layers.filter((k) => k !== key) : [...this.layers, key];
  }

  /**
   * The incident filters as API query parameters. Status defaults to `open` and is always sent,
   * so that every endpoint (districts, clusters, lists) counts the same thing.
   */
  apiParams(timeZone: string, opts: { status?: boolean; period?: boolean } = {}): URLSearchParams {
    const p = new URLSearchParams();
    if (opts.status !== false) p.set('status', (this.filters.status.length ? this.filters.status : ['open']).join(','));
    for (const k of FILTER_KEYS) if (k !== 'status' && this.filters[k].length) p.set(k, this.filters[k].join(','));
    if (opts.period !== false) {
      const r = periodRange(this.period, timeZone, { from: this.from, to: this.to });
      if (r) {
        p.set('from', r.from);
        p.set('to', r.to);
      }
    }
    return p;
  }
}

const KEY = Symbol('url-state');
export const setUrlState = (s: UrlState) => setContext(KEY, s);
export const getUrlState = () => getContext<UrlState>(KEY);
