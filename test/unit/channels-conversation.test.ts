import { describe, expect, it } from 'vitest';
import {
  type Context,
  expire,
  filed,
  initialState,
  PAGE_SIZE,
  recover,
  searchCategories,
  type State,
  step,
} from '../../server/channels/conversation.ts';
import { LANGS, MESSAGES, say } from '../../server/channels/messages.ts';

const names = (ru: string, kk = `${ru} (kk)`, en = `${ru} (en)`) => ({ kk, ru, en });
const ctx: Context = {
  categories: [
    ...Array.from({ length: 11 }, (_, i) => ({ code: `s${i}`, parent: null, name: names(`Сфера ${i}`) })),
    { code: 'roads', parent: null, name: names('Ремонт дорог', 'Жол жөндеу', 'Road repair') },
    { code: 'roads.pothole', parent: 'roads', name: names('Яма на дороге', 'Жолдағы шұңқыр', 'Pothole') },
    { code: 'roads.signs', parent: 'roads', name: names('Дорожные знаки', 'Жол белгілері', 'Road signs') },
    { code: 'other', parent: null, name: names('Другое', 'Басқа', 'Other') },
  ],
};
const ids = (r: { replies: { buttons?: { id: string }[] }[] }) => r.replies.at(-1)?.buttons?.map((b) => b.id) ?? [];
const txt = (t: string) => ({ kind: 'text', text: t }) as const;
const btn = (id: string) => ({ kind: 'button', id }) as const;

/** Feeds inputs one after another from `s`. */
function run(s: State, ...inputs: Parameters<typeof step>[1][]) {
  let r = { state: s, replies: [] as { text: string }[] } as ReturnType<typeof step>;
  for (const i of inputs) r = step(r.state, i, ctx);
  return r;
}

describe('the bot message catalogue', () => {
  it('has the same keys in kk, ru and en, none empty, with the same placeholders', () => {
    const keys = Object.keys(MESSAGES.ru).sort();
    for (const l of LANGS) {
      expect(Object.keys(MESSAGES[l]).sort()).toEqual(keys);
      for (const k of keys) {
        const text = MESSAGES[l][k as keyof typeof MESSAGES.ru];
        expect(text.trim().length, `${l}.${k}`).toBeGreaterThan(0);
        const holes = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
        expect(holes(text), `${l}.${k}`).toEqual(holes(MESSAGES.ru[k as keyof typeof MESSAGES.ru]));
      }
    }
    expect(say('kk', 'filed', { number: '109-2026-000001' })).toContain('109-2026-000001');
  });
});

describe('the conversation', () => {
  it('walks language → sphere → category → description → place → photo → confirm and asks to create once', () => {
    let r = step(initialState(), txt('hello'), ctx);
    expect(r.state.step).toBe('lang');
    r = run(r.state, btn('lang:ru'));
    expect(r.state).toMatchObject({ step: 'sphere', lang: 'ru' });
    // A page: PAGE_SIZE spheres and "more".
    expect(ids(r)).toHaveLength(PAGE_SIZE + 1);
    expect(ids(r).at(-1)).toBe('page:1');
    r = run(r.state, btn('page:1'));
    expect(ids(r)).toContain('sph:roads');
    expect(ids(r)).toContain('page:0');
    r = run(r.state, btn('sph:roads'));
    expect(r.state.step).toBe('category');
    expect(ids(r)).toEqual(['cat:roads.pothole', 'cat:roads.signs', 'page:0']);
    r = run(r.state, btn('cat:roads.pothole'), txt('abc'));
    expect(r.state.step).toBe('description');
    expect(r.replies[0].text).toBe(say('ru', 'descriptionShort'));
    r = run(r.state, txt('  Большая яма у дома  '));
    expect(r.state).toMatchObject({ step: 'place', description: 'Большая яма у дома' });
    r = run(r.state, { kind: 'location', lng: 1, lat: 2, inside: false });
    expect(r.state.step).toBe('place');
    expect(r.replies[0].text).toBe(say('ru', 'outsideCity'));
    r = run(r.state, { kind: 'location', lng: 71.4, lat: 42.9, inside: true });
    expect(r.state).toMatchObject({ step: 'photo', location: [71.4, 42.9] });
    r = run(r.state, { kind: 'photo', fileId: 'F1' });
    expect(r.state.step).toBe('confirm');
    expect(r.replies[0].text).toContain('Яма на дороге');
    const before = structuredClone(r.state);
    const c = step(r.state, btn('confirm'), ctx);
    expect(r.state).toEqual(before);
    expect(c.effect).toEqual({
      kind: 'create',
      draft: { category: 'roads.pothole', description: 'Большая яма у дома', location: [71.4, 42.9], photo: 'F1' },
    });
    expect(c.state.step).toBe('filing');
    // While filing, a second press says nothing and creates nothing.
    expect(step(c.state, btn('confirm'), ctx)).toEqual({ state: c.state, replies: [] });
    const done = filed(c.state, '109-2026-000007', ctx);
    expect(done.state).toEqual({ step: 'idle', lang: 'ru', number: '109-2026-000007' });
    const again = step(done.state, btn('confirm'), ctx);
    expect(again.effect).toBeUndefined();
    expect(again.replies[0].text).toContain('109-2026-000007');
  });

  it('keeps a typed address as given and finds categories by text in any language', () => {
    const s: State = { step: 'place', lang: 'kk', category: 'roads.pothole', description: 'Шұңқыр бар' };
    const r = step(s, txt('  Абай даңғылы, 5 / ауласы  '), ctx);
    expect(r.state).toMatchObject({ step: 'photo', address: 'Абай даңғылы, 5 / ауласы', placeCheck: true });
    expect(r.state.location).toBeUndefined();
    expect(searchCategories('ЯМА', 'kk', ctx).map((c) => c.code)).toEqual(['roads.pothole']);
    expect(searchCategories('знаки', 'ru', ctx).map((c) => c.code)).toEqual(['roads.signs']);
    expect(searchCategories('x', 'ru', ctx)).toEqual([]);
    const none = step({ step: 'sphere', lang: 'en', page: 0 }, txt('zzz'), ctx);
    expect(none.replies[0].text).toContain('Nothing found for "zzz"');
  });

  it('sends a found address back as a location pin and places the appeal there on yes', () => {
    const s: State = { step: 'place', lang: 'ru', category: 'roads.pothole', description: 'Яма у дома' };
    const place = { point: [71.3728, 42.8929] as [number, number], label: 'пр. Толе би, 12' };
    const asked = step(s, { kind: 'text', text: 'толе би 12', place }, ctx);
    expect(asked.state).toMatchObject({ step: 'placeConfirm', address: 'толе би 12', candidate: place });
    expect(asked.replies).toHaveLength(1);
    expect(asked.replies[0].location).toEqual({ lng: 71.3728, lat: 42.8929, title: 'пр. Толе би, 12' });
    expect(asked.replies[0].text).toContain('пр. Толе би, 12');
    expect(ids(asked)).toEqual(['place:yes', 'place:no']);
    // A stale button repeats the question with the pin.
    const stale = step(asked.state, btn('skip'), ctx);
    expect(stale.state).toBe(asked.state);
    expect(stale.replies.at(-1)?.location).toBeDefined();

    const yes = step(asked.state, btn('place:yes'), ctx);
    expect(yes.state).toMatchObject({ step: 'photo', location: [71.3728, 42.8929], address: 'пр. Толе би, 12' });
    expect(yes.state.placeCheck).toBeUndefined();
    expect(yes.state.candidate).toBeUndefined();
    const done = run(yes.state, btn('skip'), btn('confirm'));
    expect(done.effect).toEqual({
      kind: 'create',
      draft: { category: 'roads.pothole', description: 'Яма у дома', location: [71.3728, 42.8929], address: 'пр. Толе би, 12' },
    });
  });

  it('marks the place to check when the address is not found or the pin is refused', () => {
    const s: State = { step: 'place', lang: 'en', category: 'roads.pothole', description: 'Pothole here' };
    const unknown = step(s, { kind: 'text', text: 'behind the old bakery', place: null }, ctx);
    expect(unknown.state).toMatchObject({ step: 'photo', address: 'behind the old bakery', placeCheck: true });
    expect(unknown.replies[0].text).toMatch(/not found on the map/);
    const summary = run(unknown.state, btn('skip'));
    expect(summary.replies.at(-1)?.text).toContain('behind the old bakery (a dispatcher will check the place)');
    expect(run(summary.state, btn('confirm')).effect).toMatchObject({
      kind: 'create',
      draft: { address: 'behind the old bakery', placeCheck: true },
    });

    const place = { point: [71.3, 42.9] as [number, number], label: 'Abay Ave, 5' };
    const asked = step(s, { kind: 'text', text: 'abay 5', place }, ctx);
    const no = step(asked.state, btn('place:no'), ctx);
    expect(no.state).toMatchObject({ step: 'photo', address: 'abay 5', placeCheck: true });
    expect(no.state.location).toBeUndefined();
    expect(no.replies[0].text).toMatch(/kept as typed/);
    // Instead of answering, a shared location or another address is taken as well.
    const shared = step(asked.state, { kind: 'location', lng: 71.31, lat: 42.91, inside: true }, ctx);
    expect(shared.state).toMatchObject({ step: 'photo', location: [71.31, 42.91] });
    expect(shared.state.address).toBeUndefined();
    expect(shared.state.placeCheck).toBeUndefined();
    const other = step(asked.state, { kind: 'text', text: 'abay 7', place: { point: [71.32, 42.92], label: 'Abay Ave, 7' } }, ctx);
    expect(other.state).toMatchObject({ step: 'placeConfirm', address: 'abay 7', candidate: { label: 'Abay Ave, 7' } });
  });

  it('answers stickers, voice and stale buttons without moving, and commands at any step', () => {
    const s: State = { step: 'description', lang: 'en', category: 'roads.pothole', sphere: 'roads' };
    const sticker = step(s, { kind: 'unsupported', what: 'sticker' }, ctx);
    expect(sticker.state).toEqual(s);
    expect(sticker.replies[0].text).toBe(say('en', 'unsupported'));
    const stale = step(s, btn('sph:roads'), ctx);
    expect(stale.state).toEqual(s);
    expect(stale.replies.map((m) => m.text)).toEqual([say('en', 'staleButton'), say('en', 'askDescription')]);
    expect(step(s, txt('/status 109-2026-000123'), ctx).effect).toEqual({ kind: 'status', number: '109-2026-000123' });
    expect(step(s, txt('/status'), ctx).replies[0].text).toBe(say('en', 'statusUsage'));
    expect(step(s, txt('/cancel'), ctx).state).toEqual({ step: 'idle', lang: 'en' });
    expect(step(s, btn('rate:42:5'), ctx).effect).toEqual({ kind: 'rate', token: 42, rating: 5 });
    expect(step(s, btn('rate:42:9'), ctx).effect).toBeUndefined();
    const d = step(s, btn('dispute:42'), ctx);
    expect(d.state).toMatchObject({ step: 'dispute', token: 42 });
    expect(step(d.state, txt('still broken'), ctx).effect).toEqual({ kind: 'dispute', token: 42, comment: 'still broken' });
  });

  it('speaks the app language before one is chosen, and expires politely', () => {
    const r = step(initialState(), { kind: 'unsupported', what: 'voice' }, { ...ctx, langHint: 'kk-KZ' });
    expect(r.replies[0].text).toBe(say('kk', 'unsupported'));
    const e = expire({ step: 'photo', lang: 'kk', description: 'x', number: '109-2026-000001' }, ctx);
    expect(e.state).toEqual({ step: 'idle', lang: 'kk', number: '109-2026-000001' });
    expect(e.replies[0].text).toBe(say('kk', 'expired'));
    expect(expire({ step: 'idle', lang: 'ru' }, ctx).replies).toEqual([]);
    // A filing cut off by a crash goes back to the summary after two minutes, not before.
    const filing: State = { step: 'filing', lang: 'ru', category: 'roads.pothole', description: 'x' };
    expect(recover(filing, 30_000)).toBe(filing);
    expect(recover(filing, 180_000)).toEqual({ ...filing, step: 'confirm' });
  });
});

describe('the bots in the configuration', () => {
  it('needs a bot configured whole, and defaults the API bases', async () => {
    const { loadConfig } = await import('../../server/config.ts');
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: '123456:abcdefghijklmnopqrstuvwxyz' })).toThrow(/TELEGRAM_WEBHOOK_SECRET: required/);
    expect(() => loadConfig({ WHATSAPP_TOKEN: 'EAAG-token-x' })).toThrow(
      /WHATSAPP_APP_SECRET[\s\S]*WHATSAPP_VERIFY_TOKEN[\s\S]*WHATSAPP_PHONE_NUMBER_ID/,
    );
    expect(() => loadConfig({ TELEGRAM_WEBHOOK_SECRET: 'bad secret with spaces' })).toThrow(/TELEGRAM_WEBHOOK_SECRET/);
    const c = loadConfig({ JARDEM_PUBLIC_URL: 'https://109.example.kz/' });
    expect(c).toMatchObject({ TELEGRAM_API_BASE: 'https://api.telegram.org', JARDEM_PUBLIC_URL: 'https://109.example.kz' });
  });
});
