import { getContext, setContext } from 'svelte';
import { type CategoryMeta, me, signOut, type FieldUser, type WorkItem, workList, getJson } from './api.ts';
import { currentPosition } from './device.ts';
import { allItems, discard, enqueue, flush, kvGet, kvSet, retry, type ActionKind, type OutboxItem } from './outbox.ts';

/** Roles that use the field app: executors act; supervisors, dispatchers and admins may look. */
export const FIELD_ROLES = ['executor', 'supervisor', 'admin', 'dispatcher'];

/** Base map zooms whose tiles are fetched ahead for the area of the work (the service worker keeps them). */
const PREFETCH_ZOOMS = [13, 14, 15];
const PREFETCH_MAX = 240;

/**
 * The field app's state: who is signed in, the work list (kept in IndexedDB for offline use),
 * where the device is, and the outbox of actions not yet sent.
 */
export class FieldStore {
  user = $state<FieldUser | null | undefined>(undefined);
  items = $state<WorkItem[]>([]);
  savedAt = $state<string | null>(null);
  loading = $state(false);
  loadFailed = $state(false);
  sort = $state<'due' | 'distance'>('due');
  here = $state<[number, number] | null>(null);
  noPosition = $state(false);
  online = $state(navigator.onLine);
  outbox = $state<OutboxItem[]>([]);
  categories = $state<Record<string, CategoryMeta['name']>>({});
  selected = $state<number | null>(null);

  get pending() {
    return this.outbox.filter((o) => o.state === 'pending').length;
  }
  get failed() {
    return this.outbox.filter((o) => o.state === 'failed');
  }
  get current(): WorkItem | null {
    return this.items.find((i) => i.id === this.selected) ?? null;
  }

  async start() {
    const onOnline = () => {
      this.online = true;
      void this.sync();
    };
    const onOffline = () => (this.online = false);
    addEventListener('online', onOnline);
    addEventListener('offline', onOffline);
    const saved = await kvGet<{ items: WorkItem[]; savedAt: string; user: FieldUser }>('work');
    if (saved) {
      this.items = saved.items;
      this.savedAt = saved.savedAt;
    }
    try {
      this.user = await me();
    } catch {
      // offline: whoever used this phone last (their session cookie is still there)
      this.user = saved?.user ?? null;
    }
    await this.reloadOutbox();
    if (this.user) await this.afterSignIn();
    return () => {
      removeEventListener('online', onOnline);
      removeEventListener('offline', onOffline);
    };
  }

  async afterSignIn() {
    void getJson<{ categories: CategoryMeta[] }>('/api/meta')
      .then((m) => (this.categories = Object.fromEntries(m.categories.map((c) => [c.code, c.name]))))
      .catch(() => undefined);
    await this.sync();
  }

  async reloadOutbox() {
    this.outbox = await allItems();
  }

  /** Sends what waits, then reloads the list. */
  async sync() {
    await flush().catch(() => 0);
    await this.reloadOutbox();
    await this.refresh();
  }

  async locate() {
    const p = await currentPosition();
    this.here = p?.position ?? null;
    this.noPosition = !p;
    return p;
  }

  async refresh() {
    if (!this.user) return;
    this.loading = true;
    if (this.sort === 'distance' || !this.here) await this.locate();
    try {
      const { items } = await workList(this.sort, this.sort === 'distance' ? this.here : null);
      this.items = this.applyPending(items);
      this.savedAt = new Date().toISOString();
      this.loadFailed = false;
      await kvSet('work', { items: $state.snapshot(this.items), savedAt: this.savedAt, user: $state.snapshot(this.user) });
      void this.prefetchTiles();
    } catch {
      this.loadFailed = true;
    } finally {
      this.loading = false;
    }
  }

  /** The list as the server sent it, with the actions still waiting in the outbox applied. */
  private applyPending(items: WorkItem[]): WorkItem[] {
    let out = items;
    for (const o of this.outbox)
      if (o.state === 'pending')
        out = out.map((i) => (i.id === o.incidentId ? this.applied(i, o.kind, o) : i)).filter((i) => i.status !== 'resolved');
    return out;
  }

  private applied(i: WorkItem, kind: ActionKind, o: Pick<OutboxItem, 'body' | 'photo' | 'at'>): WorkItem {
    switch (kind) {
      case 'take':
        return { ...i, status: 'in_progress', version: i.version + 1, paused: null };
      case 'pause': {
        const b = o.body as { reason: string; note?: string };
        return { ...i, paused: { reason: b.reason, note: b.note ?? null, at: o.at } };
      }
      case 'resume':
        return { ...i, paused: null };
      case 'resolve':
        return { ...i, status: 'resolved', version: i.version + 1 };
      case 'photo': {
        const k = o.photo!.fields.kind as 'before' | 'after';
        return { ...i, photos: { ...i.photos, [k]: i.photos[k] + 1 } };
      }
    }
  }

  /**
   * Records an action with the device's time and position, shows it at once, and sends it now
   * if there is a connection (else when the connection returns).
   */
  async act(item: WorkItem, kind: ActionKind, body: Record<string, unknown> = {}, photo?: { blob: Blob; fields: Record<string, string> }) {
    const at = new Date().toISOString();
    const fix = kind === 'photo' ? null : await currentPosition(5000);
    const paths: Record<ActionKind, string> = {
      take: `/api/field/incidents/${item.id}/take`,
      pause: `/api/field/incidents/${item.id}/pause`,
      resume: `/api/field/incidents/${item.id}/resume`,
      resolve: `/api/field/incidents/${item.id}/resolve`,
      photo: `/api/field/incidents/${item.id}/photos`,
    };
    const versioned = kind === 'take' || kind === 'resolve' ? { version: item.version } : {};
    const full =
      kind === 'photo'
        ? undefined
        : { ...versioned, ...body, acted_at: at, ...(fix ? { position: fix.position, accuracy: Math.round(fix.accuracy) } : {}) };
    const queued = await enqueue({
      kind,
      incidentId: item.id,
      number: item.number,
      path: paths[kind],
      body: full,
      photo,
      at,
      position: fix?.position ?? null,
    });
    this.items = this.items.map((i) => (i.id === item.id ? this.applied(i, kind, queued) : i)).filter((i) => i.status !== 'resolved');
    await kvSet('work', { items: $state.snapshot(this.items), savedAt: this.savedAt, user: $state.snapshot(this.user) });
    await this.reloadOutbox();
    if (kind === 'resolve') this.selected = null;
    if (navigator.onLine) await this.sync();
  }

  async discard(seq: number) {
    await discard(seq);
    await this.reloadOutbox();
  }
  async retry(seq: number) {
    await retry(seq);
    await this.sync();
  }

  async signOut() {
    await signOut();
    this.user = null;
    this.items = [];
    await kvSet('work', null);
    // What the service worker kept of this user's work goes too.
    if ('caches' in window) for (const name of ['field-api', 'field-photos']) await caches.delete(name).catch(() => false);
  }

  /** Fetches the base map tiles around the work (z13–15) so that the map works offline. */
  private async prefetchTiles() {
    if (!navigator.serviceWorker?.controller || !this.items.length) return;
    const lngs = this.items.map((i) => i.location[0]);
    const lats = this.items.map((i) => i.location[1]);
    const [w, e, s, n] = [Math.min(...lngs), Math.max(...lngs), Math.min(...lats), Math.max(...lats)];
    const urls: string[] = [];
    for (const z of PREFETCH_ZOOMS) {
      const [x0, y0] = tileOf(w, n, z);
      const [x1, y1] = tileOf(e, s, z);
      for (let x = x0; x <= x1; x++) for (let y = y0; y <= y1; y++) urls.push(`/tiles/basemap/${z}/${x}/${y}.mvt`);
    }
    for (const url of urls.slice(0, PREFETCH_MAX)) await fetch(url).catch(() => undefined);
  }
}

/** The tile (x, y) holding [lng, lat] at zoom z (Web Mercator). */
function tileOf(lng: number, lat: number, z: number): [number, number] {
  const n = 2 ** z;
  const x = Math.floor(((lng + 180) / 360) * n);
  const r = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
  return [Math.max(0, Math.min(n - 1, x)), Math.max(0, Math.min(n - 1, y))];
}

const KEY = Symbol('field-store');
export const setStore = (s: FieldStore) => setContext(KEY, s);
export const getStore = () => getContext<FieldStore>(KEY);
