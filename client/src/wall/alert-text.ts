import type { I18n, MessageKey } from '../i18n/i18n.svelte.ts';
import type { AppData } from '../lib/app-data.svelte.ts';
import type { Alert } from '../lib/live.svelte.ts';
import { shortDateTime } from './format.ts';

/** An alert in words, in the current language: what kind, what, where, how many, since when. */
export interface AlertText {
  /** the kind ("Spike in appeals") */
  title: string;
  /** what usually happens, for a spike ("usually 1") */
  usual: string | null;
  /** the category or sphere */
  what: string;
  /** the district, or "whole city" */
  where: string;
  /** how many, as a figure */
  count: string;
  /** what the figure counts ("in an hour", "within 300 m", "overdue") */
  unit: string;
  /** since when ("since 14:05"; "since 21.11 07:23" when not today) */
  since: string;
}

export function alertText(a: Alert, i18n: I18n, app: AppData, now = new Date()): AlertText {
  const category = app.categories.get(a.category);
  // An outage's alert names its service (h-outages).
  const service = category ? undefined : app.services.get(a.category);
  const district = a.district ? app.districts.get(a.district) : undefined;
  const time = shortDateTime(new Date(a.since), now, i18n.timeZone, i18n.lang);
  const unit =
    a.kind === 'spike'
      ? i18n.t('wall.alert.perHour')
      : a.kind === 'emergency_cluster'
        ? i18n.t('wall.alert.within', { radius: a.radiusM ?? 0 })
        : a.kind === 'outage_overdue'
          ? i18n.t('wall.alert.calls')
          : i18n.t('wall.alert.overdue');
  return {
    title: i18n.t(`wall.alert.${a.kind}` as MessageKey),
    usual: a.kind === 'spike' ? i18n.t('wall.alert.usually', { n: i18n.num(a.expected ?? 0, 1) }) : null,
    what: category ? i18n.name(category.name) : service ? i18n.name(service.name) : a.category,
    where: a.district === null ? i18n.t('wall.alert.cityWide') : district ? i18n.name(district.name) : a.district,
    count: i18n.num(a.count),
    unit,
    since: i18n.t('wall.alert.since', { time }),
  };
}
