/**
 * Outages and planned works as the client reads them (GET /api/outages, server/outages): the
 * feature's shape, the active ones, and a notice in the reader's language.
 */
import type { Feature, FeatureCollection, MultiPolygon } from 'geojson';

export type OutageLang = 'kk' | 'ru' | 'en';

export interface OutageProps {
  id: number;
  kind: 'emergency' | 'planned';
  status: 'planned' | 'active' | 'overdue' | 'ended';
  services: { code: string; name: Record<OutageLang, string> }[];
  starts_at: string;
  expected_end_at: string;
  ended_at: string | null;
  notice: Record<OutageLang, string | null>;
  call_count: number;
  affected: { addresses: number | null; people: number | null; method: string };
}
export type OutageFeature = Feature<MultiPolygon, OutageProps> & { id: number };
export type OutageCollection = FeatureCollection<MultiPolygon, OutageProps>;

/** The colours of the two kinds on every map and legend. */
export const OUTAGE_COLORS: Record<OutageProps['kind'], string> = { emergency: '#dc2626', planned: '#d97706' };

export const EMPTY_OUTAGES: OutageCollection = { type: 'FeatureCollection', features: [] };

/** The outages on now (`query`: more filters, e.g. `at=lng,lat&category=...`). */
export async function activeOutages(query: Record<string, string> = {}, signal?: AbortSignal): Promise<OutageCollection> {
  const res = await fetch(`/api/outages?${new URLSearchParams({ active: 'true', ...query })}`, {
    signal,
    credentials: 'same-origin',
    headers: { accept: 'application/geo+json, application/json' },
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return (await res.json()) as OutageCollection;
}

/** The notice in `lang`, or the first other language that has one. */
export function noticeIn(notice: OutageProps['notice'], lang: OutageLang): string {
  const order: OutageLang[] = lang === 'kk' ? ['kk', 'ru', 'en'] : lang === 'ru' ? ['ru', 'kk', 'en'] : ['en', 'ru', 'kk'];
  for (const l of order) if (notice[l]) return notice[l]!;
  return '';
}
