import type { Button, Incoming, Outgoing } from './adapter.ts';
import { guessLang, LANGS, type Lang, type MessageKey, say } from './messages.ts';

/**
 * The conversation with a citizen as a pure state machine: `step(state, input, ctx)` answers
 * the next state, what to say, and at most one effect for the caller to carry out (create the
 * appeal, look up a status, rate, dispute). No I/O here: the store keeps the state in the
 * database and the runner (intake.ts) performs the effects.
 *
 * language → sphere (buttons, pages, or a search by text) → category → description → place
 * (a shared location inside the city, or a typed address: when the geocoder finds it with
 * confidence, the place is sent back as a location pin for the citizen to confirm; otherwise, or
 * when refused, the address is kept as typed and marked for the dispatcher to check) → optional
 * photo → summary → confirm → the appeal's number.
 */

export type Step =
  'idle' | 'lang' | 'sphere' | 'category' | 'description' | 'place' | 'placeConfirm' | 'photo' | 'confirm' | 'filing' | 'dispute';

/** A typed address the geocoder found with confidence: its point [lng, lat] and how it reads. */
export interface FoundPlace {
  point: [number, number];
  label: string;
}

export interface State {
  step: Step;
  lang?: Lang;
  /** Page of the sphere list being shown. */
  page?: number;
  sphere?: string;
  category?: string;
  description?: string;
  /** [lng, lat] of a shared location or of a confirmed typed address; absent otherwise. */
  location?: [number, number];
  address?: string;
  /** The place found for the typed address, waiting for the citizen's yes or no. */
  candidate?: FoundPlace;
  /** The typed address was not found or not confirmed: the dispatcher must check the place. */
  placeCheck?: boolean;
  /** The messenger's file id of the photo. */
  photo?: string;
  /** The feedback link (its id) a dispute is being written for. */
  token?: number;
  /** The number of the last appeal filed in this conversation. */
  number?: string;
}

/** A category as the bot offers it: spheres (depth 0) and their categories (depth 1). */
export interface CategoryOption {
  code: string;
  parent: string | null;
  name: Record<Lang, string>;
}

export interface Context {
  categories: CategoryOption[];
  /** The messenger's language hint, until the user chooses. */
  langHint?: string;
}

/**
 * A location arrives with the runner's answer to "is it inside the city?" (PostGIS decides); a
 * text typed where a place is asked for arrives with the geocoder's confident place, or null.
 */
export type MachineInput =
  | Exclude<Incoming, { kind: 'location' } | { kind: 'text' }>
  | { kind: 'location'; lng: number; lat: number; inside: boolean }
  | { kind: 'text'; text: string; place?: FoundPlace | null };

/** Steps at which a typed text is an address to geocode. */
export const PLACE_STEPS: readonly Step[] = ['place', 'placeConfirm'];

export interface Draft {
  category: string;
  description: string;
  location?: [number, number];
  address?: string;
  /** No point for the typed address: the appeal goes to the dispatcher marked "place to check". */
  placeCheck?: boolean;
  photo?: string;
}

export type Effect =
  | { kind: 'create'; draft: Draft }
  | { kind: 'status'; number: string }
  | { kind: 'rate'; token: number; rating: number }
  | { kind: 'dispute'; token: number; comment: string };

export interface Result {
  state: State;
  replies: Outgoing[];
  effect?: Effect;
}

/** Options per page of a list: 8 + "more" + "back" fits WhatsApp's 10 rows. */
export const PAGE_SIZE = 8;
/** Most search hits offered. */
const SEARCH_HITS = 8;
const MIN_DESCRIPTION = 5;
const MAX_DESCRIPTION = 4000;
const MAX_ADDRESS = 500;

export const initialState = (): State => ({ step: 'idle' });

const langOf = (s: State, ctx: Context): Lang => s.lang ?? guessLang(ctx.langHint);
const msg = (text: string, buttons?: Button[]): Outgoing => (buttons?.length ? { text, buttons } : { text });

const spheres = (ctx: Context) => ctx.categories.filter((c) => c.parent === null);
const childrenOf = (ctx: Context, code: string) => ctx.categories.filter((c) => c.parent === code);
const find = (ctx: Context, code: string) => ctx.categories.find((c) => c.code === code);

function sphereMenu(lang: Lang, page: number, ctx: Context, head?: string): Outgoing {
  const all = spheres(ctx);
  const pages = Math.max(1, Math.ceil(all.length / PAGE_SIZE));
  const p = Math.min(Math.max(0, page), pages - 1);
  const buttons: Button[] = all.slice(p * PAGE_SIZE, (p + 1) * PAGE_SIZE).map((c) => ({ id: `sph:${c.code}`, title: c.name[lang] }));
  if (p + 1 < pages) buttons.push({ id: `page:${p + 1}`, title: say(lang, 'more') });
  if (p > 0) buttons.push({ id: `page:${p - 1}`, title: say(lang, 'back') });
  return msg(head ?? say(lang, 'chooseSphere'), buttons);
}

function categoryMenu(lang: Lang, sphere: string, ctx: Context): Outgoing {
  const buttons = childrenOf(ctx, sphere)
    .slice(0, PAGE_SIZE + 1)
    .map((c) => ({ id: `cat:${c.code}`, title: c.name[lang] }));
  buttons.push({ id: 'page:0', title: say(lang, 'back') });
  return msg(say(lang, 'chooseCategory'), buttons);
}

const langMenu = (lang: Lang) =>
  msg(say(lang, 'chooseLang'), [
    { id: 'lang:kk', title: 'Қазақша' },
    { id: 'lang:ru', title: 'Русский' },
    { id: 'lang:en', title: 'English' },
  ]);

const normalise = (s: string) => s.toLowerCase().replace(/ё/g, 'е').replace(/\s+/g, ' ').trim();

/** Categories whose name (in any language, the user's first) contains every word typed. */
export function searchCategories(query: string, lang: Lang, ctx: Context): CategoryOption[] {
  const words = normalise(query)
    .split(' ')
    .filter((w) => w.length >= 2);
  if (!words.length) return [];
  const score = (c: CategoryOption) => {
    const own = normalise(c.name[lang]);
    const any = LANGS.map((l) => normalise(c.name[l])).join(' | ');
    if (words.every((w) => own.includes(w))) return 2;
    if (words.every((w) => any.includes(w))) return 1;
    return 0;
  };
  return ctx.categories
    .filter((c) => c.parent !== null)
    .map((c) => ({ c, s: score(c) }))
    .filter((x) => x.s > 0)
    .sort((a, b) => b.s - a.s)
    .slice(0, SEARCH_HITS)
    .map((x) => x.c);
}

function summary(s: State, lang: Lang, ctx: Context): Outgoing {
  const cat = s.category ? find(ctx, s.category) : undefined;
  const text = say(lang, 'summary', {
    category: cat ? cat.name[lang] : (s.category ?? ''),
    description: s.description ?? '',
    place: s.address ? (s.placeCheck ? `${s.address} (${say(lang, 'placeToCheck')})` : s.address) : say(lang, 'placeLocation'),
    photo: say(lang, s.photo ? 'photoYes' : 'photoNo'),
  });
  return msg(text, [
    { id: 'confirm', title: say(lang, 'confirm') },
    { id: 'restart', title: say(lang, 'restart') },
  ]);
}

/** The found place as a location pin, with the question whether it is the right one. */
const placeQuestion = (lang: Lang, place: FoundPlace): Outgoing => ({
  text: say(lang, 'placeFound', { place: place.label }),
  location: { lng: place.point[0], lat: place.point[1], title: place.label },
  buttons: [
    { id: 'place:yes', title: say(lang, 'placeYes') },
    { id: 'place:no', title: say(lang, 'placeNo') },
  ],
});

const idleMenu = (lang: Lang) => msg(say(lang, 'idle'), [{ id: 'new', title: say(lang, 'newAppeal') }]);

/** What the bot asks at the state's step (to repeat it after an unexpected input). */
export function prompt(s: State, ctx: Context): Outgoing {
  const lang = langOf(s, ctx);
  switch (s.step) {
    case 'lang':
      return langMenu(lang);
    case 'sphere':
      return sphereMenu(lang, s.page ?? 0, ctx);
    case 'category':
      return s.sphere ? categoryMenu(lang, s.sphere, ctx) : sphereMenu(lang, 0, ctx);
    case 'description':
      return msg(say(lang, 'askDescription'));
    case 'place':
      return msg(say(lang, 'askPlace'));
    case 'placeConfirm':
      return s.candidate ? placeQuestion(lang, s.candidate) : msg(say(lang, 'askPlace'));
    case 'photo':
      return msg(say(lang, 'askPhoto'), [{ id: 'skip', title: say(lang, 'skipPhoto') }]);
    case 'confirm':
      return summary(s, lang, ctx);
    case 'dispute':
      return msg(say(lang, 'askDisputeComment'));
    default:
      return idleMenu(lang);
  }
}

/** A fresh appeal in the user's language (keeps the last number for "already filed"). */
const fresh = (s: State, step: Step): State => ({
  step,
  ...(s.lang ? { lang: s.lang } : {}),
  ...(s.number ? { number: s.number } : {}),
});

const STATUS_COMMAND = /^\/?(status|статус|мәртебе)(@\w+)?(\s+(\S+))?\s*$/i;

/** The next state for one input. */
export function step(s: State, input: MachineInput, ctx: Context): Result {
  const lang = langOf(s, ctx);
  const at = (state: State, ...replies: Outgoing[]): Result => ({ state, replies });
  const stale = () => at(s, msg(say(lang, 'staleButton')), prompt(s, ctx));

  // Inputs that mean the same at every step.
  if (input.kind === 'unsupported') return at(s, msg(say(lang, 'unsupported')), ...(s.step === 'idle' ? [] : [prompt(s, ctx)]));
  if (input.kind === 'button') {
    const rate = /^rate:(\d{1,15}):([1-5])$/.exec(input.id);
    if (rate) return { state: s, replies: [], effect: { kind: 'rate', token: Number(rate[1]), rating: Number(rate[2]) } };
    const dispute = /^dispute:(\d{1,15})$/.exec(input.id);
    if (dispute) return at({ ...fresh(s, 'dispute'), token: Number(dispute[1]) }, msg(say(lang, 'askDisputeComment')));
    if (input.id === 'confirm' && s.step !== 'confirm' && s.number) return at(s, msg(say(lang, 'alreadyFiled', { number: s.number })));
  }
  if (input.kind === 'text') {
    const text = input.text.trim();
    const status = STATUS_COMMAND.exec(text);
    if (status) {
      if (!status[4]) return at(s, msg(say(lang, 'statusUsage')));
      return { state: s, replies: [], effect: { kind: 'status', number: status[4] } };
    }
    if (/^\/start\b/i.test(text)) return at(fresh(s, 'lang'), langMenu(lang));
    if (/^\/cancel\b/i.test(text)) return at(fresh(s, 'idle'), msg(say(lang, 'cancelled')));
  }

  switch (s.step) {
    case 'idle': {
      if (!s.lang) return at(fresh(s, 'lang'), langMenu(lang));
      if (input.kind === 'button' && input.id === 'new') return at({ ...fresh(s, 'sphere'), page: 0 }, sphereMenu(lang, 0, ctx));
      return at(s, idleMenu(lang));
    }
    case 'lang': {
      const chosen = input.kind === 'button' ? /^lang:(kk|ru|en)$/.exec(input.id)?.[1] : undefined;
      if (!chosen) return input.kind === 'button' ? stale() : at(s, langMenu(lang));
      const l = chosen as Lang;
      return at({ ...fresh(s, 'sphere'), lang: l, page: 0 }, sphereMenu(l, 0, ctx));
    }
    case 'sphere':
    case 'category': {
      if (input.kind === 'button') {
        const page = /^page:(\d{1,3})$/.exec(input.id);
        if (page) return at({ ...fresh(s, 'sphere'), page: Number(page[1]) }, sphereMenu(lang, Number(page[1]), ctx));
        const sph = /^sph:(.+)$/.exec(input.id);
        if (sph && find(ctx, sph[1])?.parent === null) {
          if (!childrenOf(ctx, sph[1]).length) {
            return at({ ...fresh(s, 'description'), sphere: sph[1], category: sph[1] }, msg(say(lang, 'askDescription')));
          }
          return at({ ...fresh(s, 'category'), sphere: sph[1] }, categoryMenu(lang, sph[1], ctx));
        }
        const cat = /^cat:(.+)$/.exec(input.id);
        const chosen = cat ? find(ctx, cat[1]) : undefined;
        if (chosen && chosen.parent !== null) {
          return at({ ...fresh(s, 'description'), sphere: chosen.parent, category: chosen.code }, msg(say(lang, 'askDescription')));
        }
        return stale();
      }
      if (input.kind === 'text') {
        const query = input.text.trim().slice(0, 100);
        const hits = searchCategories(query, lang, ctx);
        if (!hits.length) return at({ ...s, step: 'sphere', page: 0 }, sphereMenu(lang, 0, ctx, say(lang, 'searchNone', { query })));
        const buttons = hits.map((c) => ({ id: `cat:${c.code}`, title: c.name[lang] }));
        buttons.push({ id: 'page:0', title: say(lang, 'back') });
        return at(s, msg(say(lang, 'searchFound', { query }), buttons));
      }
      return at(s, prompt(s, ctx));
    }
    case 'description': {
      if (input.kind !== 'text') return input.kind === 'button' ? stale() : at(s, prompt(s, ctx));
      const text = input.text.trim();
      if (text.length < MIN_DESCRIPTION) return at(s, msg(say(lang, 'descriptionShort')));
      return at({ ...s, step: 'place', description: text.slice(0, MAX_DESCRIPTION) }, msg(say(lang, 'askPlace')));
    }
    case 'place':
    case 'placeConfirm': {
      const next = (place: Pick<State, 'location' | 'address' | 'placeCheck'>, ...before: Outgoing[]): Result => {
        const { location: _l, address: _a, candidate: _c, placeCheck: _p, ...rest } = s;
        const state: State = { ...rest, ...place, step: 'photo' };
        return at(state, ...before, prompt(state, ctx));
      };
      if (input.kind === 'location') {
        if (!input.inside) return at(s, msg(say(lang, 'outsideCity')));
        return next({ location: [input.lng, input.lat] });
      }
      if (input.kind === 'text' && input.text.trim()) {
        const typed = input.text.trim().slice(0, MAX_ADDRESS);
        if (input.place) {
          const { location: _l, placeCheck: _p, ...rest } = s;
          const candidate: FoundPlace = { point: input.place.point, label: input.place.label.slice(0, MAX_ADDRESS) };
          return at({ ...rest, step: 'placeConfirm', address: typed, candidate }, placeQuestion(lang, candidate));
        }
        return next({ address: typed, placeCheck: true }, msg(say(lang, 'placeNotFound')));
      }
      if (s.step === 'placeConfirm' && input.kind === 'button' && s.candidate && s.address) {
        if (input.id === 'place:yes') return next({ location: s.candidate.point, address: s.candidate.label });
        if (input.id === 'place:no') return next({ address: s.address, placeCheck: true }, msg(say(lang, 'placeRefused')));
      }
      if (input.kind === 'photo') return at(s, msg(say(lang, 'photoOnlyHere')), prompt(s, ctx));
      return input.kind === 'button' ? stale() : at(s, prompt(s, ctx));
    }
    case 'photo': {
      const toConfirm = (photo?: string): Result => {
        const state: State = { ...s, step: 'confirm', ...(photo ? { photo } : {}) };
        return at(state, summary(state, lang, ctx));
      };
      if (input.kind === 'photo') return toConfirm(input.fileId);
      if ((input.kind === 'button' && input.id === 'skip') || input.kind === 'text') return toConfirm();
      return input.kind === 'button' ? stale() : at(s, prompt(s, ctx));
    }
    case 'confirm': {
      if (input.kind === 'button' && input.id === 'confirm' && s.category && s.description) {
        const draft: Draft = {
          category: s.category,
          description: s.description,
          ...(s.location ? { location: s.location } : {}),
          ...(s.address ? { address: s.address } : {}),
          ...(s.placeCheck ? { placeCheck: true } : {}),
          ...(s.photo ? { photo: s.photo } : {}),
        };
        return { state: { ...s, step: 'filing' }, replies: [], effect: { kind: 'create', draft } };
      }
      if (input.kind === 'button' && input.id === 'restart') return at({ ...fresh(s, 'sphere'), page: 0 }, sphereMenu(lang, 0, ctx));
      return input.kind === 'button' ? stale() : at(s, prompt(s, ctx));
    }
    case 'filing':
      // The appeal is being created by an earlier update: say nothing twice.
      return at(s);
    case 'dispute': {
      if (input.kind === 'text' && input.text.trim() && s.token) {
        return {
          state: fresh(s, 'idle'),
          replies: [],
          effect: { kind: 'dispute', token: s.token, comment: input.text.trim().slice(0, 2000) },
        };
      }
      return at(s, msg(say(lang, 'askDisputeComment')));
    }
  }
}

/** After the appeal was created: back to idle, with its number. */
export function filed(s: State, number: string, ctx: Context): Result {
  const lang = langOf(s, ctx);
  return { state: { step: 'idle', lang, number }, replies: [msg(say(lang, 'filed', { number }))] };
}

/**
 * After the appeal was answered from a known outage (server/outages): back to idle with its
 * number, and the outage's notice and expected end (`until`, already written in the city's time).
 */
export function answeredFromOutage(s: State, number: string, outage: { notice: string; until: string }, ctx: Context): Result {
  const lang = langOf(s, ctx);
  return { state: { step: 'idle', lang, number }, replies: [msg(say(lang, 'outageKnown', { number, ...outage }))] };
}

/** After creating failed: back to the summary, to try again. */
export function fileFailed(s: State, ctx: Context): Result {
  const lang = langOf(s, ctx);
  const state: State = { ...s, step: 'confirm' };
  return { state, replies: [msg(say(lang, 'fileFailed')), summary(state, lang, ctx)] };
}

/** Conversations left for this long are closed politely at the next message (or by the sweep). */
export const EXPIRE_AFTER_MS = 24 * 3600_000;

/** A conversation left mid-way for a day: closed, with a polite word; an idle one stays as it is. */
export function expire(s: State, ctx: Context): Result {
  if (s.step === 'idle') return { state: s, replies: [] };
  return { state: fresh(s, 'idle'), replies: [msg(say(langOf(s, ctx), 'expired'))] };
}

/** Longer than any real filing takes (ms): a conversation still "filing" after it lost its filer. */
export const FILING_STUCK_MS = 2 * 60_000;

/**
 * A conversation whose filing was cut off (the process died between "confirm" and the number)
 * goes back to the summary, so that the user can press "confirm" again instead of meeting silence.
 */
export function recover(s: State, ageMs: number): State {
  return s.step === 'filing' && ageMs > FILING_STUCK_MS ? { ...s, step: 'confirm' } : s;
}

/** A message from the catalogue in the conversation's language. */
export const text = (s: State, ctx: Context, key: MessageKey, vars?: Record<string, string | number>) => say(langOf(s, ctx), key, vars);
