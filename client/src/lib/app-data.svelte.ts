import { getContext, setContext } from 'svelte';
import { DEFAULT_TIMEZONE } from '../i18n/i18n.svelte.ts';
import type { Category, DistrictMeta, Meta, Service } from './api.ts';
import { sphereColor, type SphereColors } from '../map/sphere-colors.ts';

/** How often the control room reloads its aggregates (ms). */
export const REFRESH_MS = 60_000;

/**
 * The city's reference data (from /api/meta) with lookups by code, and a refresh clock that
 * every view's aggregates follow.
 */
export class AppData {
  meta = $state.raw<Meta | null>(null);
  /** increments every REFRESH_MS; effects that read it reload */
  tick = $state(0);
  timeZone = $derived(this.meta?.city.timeZone ?? this.meta?.city.timezone ?? DEFAULT_TIMEZONE);
  /** The centre's phone number and name from the city pack. */
  phone = $derived(this.meta?.city.phone ?? this.meta?.city.numberPrefix ?? '109');
  centreName = $derived(this.meta?.city.centreName ?? null);
  categories = $derived(new Map<string, Category>((this.meta?.categories ?? []).map((c) => [c.code, c])));
  spheres = $derived((this.meta?.categories ?? []).filter((c) => c.depth === 0));
  services = $derived(new Map<string, Service>((this.meta?.services ?? []).map((s) => [s.code, s])));
  districts = $derived(new Map<string, DistrictMeta>((this.meta?.districts ?? []).map((d) => [d.code, d])));

  /**
   * The colours the control room's map gives the spheres in view now (map/sphere-colors.ts);
   * empty on screens without that map (the wall), or before its first tiles.
   */
  mapSpheres = $state.raw<SphereColors>({});

  /** The city pack's colour of a sphere or category (categories inherit their sphere's). */
  color(code: string | undefined | null): string {
    const c = code ? this.categories.get(code) : undefined;
    return c?.color ?? (c ? this.categories.get(c.sphere)?.color : undefined) ?? '#757575';
  }

  /**
   * The colour a sphere or category has on the map now: its sphere's colour among those in view,
   * the grey of the other spheres otherwise — so that lists, filters and cards beside the map
   * show a sphere in the one colour the map and its legend give it. Without a map's assignment,
   * the pack's colour.
   */
  mapColor(code: string | undefined | null): string {
    if (!Object.keys(this.mapSpheres).length) return this.color(code);
    const c = code ? this.categories.get(code) : undefined;
    return sphereColor(this.mapSpheres, c ? (c.depth === 0 ? c.code : c.sphere) : null);
  }
}

const KEY = Symbol('app-data');
export const setAppData = (d: AppData) => setContext(KEY, d);
export const getAppData = () => getContext<AppData>(KEY);
