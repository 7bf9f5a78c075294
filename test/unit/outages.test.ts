/**
 * The outage register's pure parts: the alert an outage past its expected end raises, and how a
 * caller is told the expected end (the city's wall clock) and the notice (their language first).
 */
import { describe, expect, it } from 'vitest';
import { detectOverdueOutages, rankAlerts } from '../../server/alerts/detect.ts';
import { answeredFromOutage, initialState } from '../../server/channels/conversation.ts';
import { localUntil, noticeIn } from '../../server/outages/answer.ts';

describe('outage_overdue alerts', () => {
  const base = { services: ['teplokommunenergo', 'vodokanal'], district: 'ortalyk', callCount: 7, expectedEnd: '2026-12-03T09:00:00.000Z' };
  it('makes one alert per outage: critical for an emergency, a warning for planned works', () => {
    const alerts = detectOverdueOutages([
      { ...base, id: 4, kind: 'emergency' },
      { ...base, id: 5, kind: 'planned' },
    ]);
    expect(alerts).toEqual([
      {
        id: 'outage:4',
        kind: 'outage_overdue',
        severity: 'critical',
        category: 'teplokommunenergo',
        sphere: 'teplokommunenergo',
        district: 'ortalyk',
        count: 7,
        since: base.expectedEnd,
        outage: 4,
      },
      expect.objectContaining({ id: 'outage:5', severity: 'warning', outage: 5 }),
    ]);
  });
  it('ranks after the appeal alerts of the same severity', () => {
    const [outage] = detectOverdueOutages([{ ...base, id: 4, kind: 'emergency' }]);
    const overdue = { ...outage, id: 'overdue:x:y', kind: 'overdue_critical' as const, since: '2026-12-01T00:00:00.000Z' };
    expect(rankAlerts([outage, overdue]).map((a) => a.id)).toEqual(['overdue:x:y', 'outage:4']);
  });
});

describe('what a caller is told', () => {
  it('writes the expected end on the city clock, with the date when it is not today there', () => {
    const now = new Date('2026-12-03T06:00:00Z'); // 11:00 in Taraz (UTC+5)
    expect(localUntil(new Date('2026-12-03T13:00:00Z'), 'Asia/Almaty', now)).toBe('18:00');
    expect(localUntil(new Date('2026-12-03T20:30:00Z'), 'Asia/Almaty', now)).toBe('04.12 01:30');
    expect(localUntil(new Date('2026-12-03T13:00:00Z'), 300, now)).toBe('18:00');
  });
  it("gives the notice in the caller's language, else another that exists", () => {
    expect(noticeIn({ kk: 'Жылу жоқ', ru: 'Нет тепла', en: null }, 'kk')).toBe('Жылу жоқ');
    expect(noticeIn({ kk: null, ru: 'Нет тепла', en: null }, 'en')).toBe('Нет тепла');
    expect(noticeIn({ kk: 'Жылу жоқ' }, 'ru')).toBe('Жылу жоқ');
  });
  it('the bot answers with the notice, the time and the number, and goes back to idle', () => {
    const r = answeredFromOutage(
      { ...initialState(), lang: 'en', step: 'filing' },
      '109-2026-000001',
      { notice: 'Main burst.', until: '18:00' },
      { categories: [] },
    );
    expect(r.state).toEqual({ step: 'idle', lang: 'en', number: '109-2026-000001' });
    expect(r.replies[0].text).toContain('Main burst.');
    expect(r.replies[0].text).toContain('18:00');
    expect(r.replies[0].text).toContain('109-2026-000001');
  });
});
