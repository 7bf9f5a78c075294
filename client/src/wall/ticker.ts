import type { LiveIncident } from '../lib/live.svelte.ts';

/** One line of the wall's ticker of new appeals: category, district, time (no personal data). */
export interface TickerItem {
  id: number;
  number: string;
  category: string;
  sphere: string | null;
  district: string | null;
  status: string;
  priority: number;
  emergency: boolean;
  /** ISO 8601 in UTC (normalised: the stream writes the server's offset) */
  created_at: string;
}

/** The ticker keeps this many appeals: a day of events leaves it the same size. */
export const TICKER_SIZE = 15;

export const toTickerItem = (i: LiveIncident): TickerItem => ({
  id: i.id,
  number: i.number,
  category: i.category,
  sphere: i.sphere,
  district: i.district,
  status: i.status,
  priority: i.priority,
  emergency: Boolean(i.emergency),
  created_at: new Date(i.created_at).toISOString(),
});

/**
 * The ticker after an event: a new appeal goes on top (newest first by creation time); a change
 * to an appeal on the list updates it in place; anything else leaves the list as it is. Returns
 * the same array when nothing changed, and never more than `size` items.
 */
export function applyToTicker(
  list: readonly TickerItem[],
  kind: 'incident.created' | 'incident.updated',
  item: TickerItem,
  size = TICKER_SIZE,
): TickerItem[] {
  const at = list.findIndex((x) => x.id === item.id);
  if (at >= 0) {
    const next = [...list];
    next[at] = { ...list[at], status: item.status, priority: item.priority, category: item.category, district: item.district };
    return next;
  }
  if (kind !== 'incident.created') return list as TickerItem[];
  const oldest = list.at(-1);
  if (list.length >= size && oldest && item.created_at < oldest.created_at) return list as TickerItem[];
  return [...list, item].sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id).slice(0, size);
}
