/** The wall's pure parts: rotation through the districts, the bounded ticker, dates in the city's zone. */
import { describe, expect, it } from 'vitest';
import { longDate, shortDateTime } from '../../client/src/wall/format.ts';
import { advance, holdForAlert, newAlerts, rotationPeriodMs, startRotation } from '../../client/src/wall/rotation.ts';
import { applyToTicker, TICKER_SIZE, toTickerItem, type TickerItem } from '../../client/src/wall/ticker.ts';

describe('rotation', () => {
  const codes = ['asa', 'talas', 'samal'];
  const steps = codes.length + 1;

  it('steps through the city and each district, one period each, and starts over', () => {
    let r = startRotation(0);
    const seen: number[] = [];
    for (let t = 0; t <= 150_000; t += 1000) {
      r = advance(r, t, 30_000, steps);
      if (seen.at(-1) !== r.index) seen.push(r.index);
    }
    expect(seen).toEqual([0, 1, 2, 3, 0, 1]);
  });

  it('stays on the city when rotation is off', () => {
    let r = { ...startRotation(0), index: 2 };
    r = advance(r, 5000, 0, steps);
    expect(r.index).toBe(0);
    expect(advance(r, 500_000, 0, steps)).toBe(r);
  });

  it('holds on a new alert in its district, then goes on from there', () => {
    let r = startRotation(0);
    r = holdForAlert(r, { id: 'spike:x:talas', district: 'talas' }, codes, 10_000, 60_000, true);
    expect(r).toEqual({ index: 2, startedAt: 10_000, holdUntil: 70_000, alertId: 'spike:x:talas' });
    expect(advance(r, 69_000, 30_000, steps)).toBe(r);
    r = advance(r, 70_000, 30_000, steps);
    expect(r).toMatchObject({ index: 2, alertId: null, startedAt: 70_000 });
    expect(advance(r, 100_000, 30_000, steps).index).toBe(3);
  });

  it('shows a city-wide alert on the city; with rotation off it only holds', () => {
    expect(holdForAlert(startRotation(0), { id: 'a', district: null }, codes, 0, 60_000, true).index).toBe(0);
    const off = holdForAlert({ ...startRotation(0), index: 0 }, { id: 'a', district: 'samal' }, codes, 0, 60_000, false);
    expect(off.index).toBe(0);
    expect(off.alertId).toBe('a');
  });

  it('tells new alerts from known ones', () => {
    expect(newAlerts(new Set(['a', 'b']), [{ id: 'b' }, { id: 'c' }, { id: 'a' }])).toEqual([{ id: 'c' }]);
  });

  it('reads ?rotate= in seconds, 0 = off, with sane bounds', () => {
    expect(rotationPeriodMs(null)).toBe(30_000);
    expect(rotationPeriodMs('45')).toBe(45_000);
    expect(rotationPeriodMs('0')).toBe(0);
    expect(rotationPeriodMs('1')).toBe(5000);
    expect(rotationPeriodMs('soon')).toBe(30_000);
    expect(rotationPeriodMs('-3')).toBe(30_000);
  });
});

describe('ticker', () => {
  const item = (id: number, minute: number, over: Partial<TickerItem> = {}): TickerItem => ({
    id,
    number: `109-2026-${String(id).padStart(6, '0')}`,
    category: 'garbage.burning',
    sphere: 'garbage',
    district: 'talas',
    status: 'new',
    priority: 3,
    emergency: false,
    created_at: `2026-01-15T09:${String(minute).padStart(2, '0')}:00.000Z`,
    ...over,
  });

  it('puts new appeals on top and never holds more than its size', () => {
    let list: TickerItem[] = [];
    for (let i = 1; i <= 40; i++) list = applyToTicker(list, 'incident.created', item(i, i));
    expect(list).toHaveLength(TICKER_SIZE);
    expect(list[0].id).toBe(40);
    expect(list.at(-1)!.id).toBe(40 - TICKER_SIZE + 1);
  });

  it('updates an appeal in place, ignores updates of others and repeats', () => {
    const list = [item(2, 2), item(1, 1)];
    const changed = applyToTicker(list, 'incident.updated', item(1, 1, { status: 'assigned' }));
    expect(changed.map((x) => `${x.id}:${x.status}`)).toEqual(['2:new', '1:assigned']);
    expect(applyToTicker(list, 'incident.updated', item(9, 9))).toBe(list);
    expect(applyToTicker(list, 'incident.created', item(2, 2))).toHaveLength(2);
  });

  it('keeps the order by time when older appeals arrive late (a replay), and drops those too old to show', () => {
    let list: TickerItem[] = [];
    for (let i = 10; i < 10 + TICKER_SIZE; i++) list = applyToTicker(list, 'incident.created', item(i, i));
    list = applyToTicker(list, 'incident.created', item(99, 5));
    expect(list.some((x) => x.id === 99)).toBe(false);
    list = applyToTicker(list, 'incident.created', item(98, 20));
    const times = list.map((x) => x.created_at);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('normalises times: the stream writes them with the server offset', () => {
    const t = toTickerItem({
      id: 1,
      number: '109-2026-000001',
      type: 'complaint',
      category: 'garbage.burning',
      sphere: 'garbage',
      channel: 'phone',
      status: 'new',
      resolution: null,
      priority: 3,
      district: 'talas',
      service: null,
      created_at: '2026-01-15T14:05:00.123+05:00',
      due_at: '2026-01-16T14:05:00+05:00',
      updated_at: '2026-01-15T14:05:00.123+05:00',
      emergency: false,
      escalation_level: 0,
      lng: 71.4,
      lat: 42.9,
      version: 1,
    });
    expect(t.created_at).toBe('2026-01-15T09:05:00.123Z');
  });
});

describe('dates on the wall', () => {
  const tz = 'Asia/Almaty';
  // 2026-11-24 is a Tuesday; 20:30 UTC is already the 25th (Wednesday) in Taraz (UTC+5)
  const late = new Date('2026-11-24T20:30:00Z');

  it('writes the date in the city, with Kazakh names spelled out', () => {
    expect(longDate(late, tz, 'kk')).toBe('25 қараша 2026 ж., сәрсенбі');
    expect(longDate(late, tz, 'ru')).toMatch(/^среда, 25 ноября 2026/);
    expect(longDate(late, tz, 'en')).toMatch(/Wednesday,? 25 November 2026/);
  });

  it('gives the time alone for today, the date before it otherwise', () => {
    expect(shortDateTime(new Date('2026-11-24T21:00:00Z'), late, tz, 'ru')).toBe('02:00');
    expect(shortDateTime(new Date('2026-11-20T04:23:00Z'), late, tz, 'ru')).toBe('20.11 09:23');
    expect(shortDateTime(new Date('2026-11-20T04:23:00Z'), late, tz, 'en')).toBe('20/11 09:23');
    expect(shortDateTime(new Date('2025-12-31T04:23:00Z'), late, tz, 'kk')).toBe('31.12.2025 09:23');
  });
});
