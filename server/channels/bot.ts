import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { AppError } from '../errors.ts';
import { log } from '../log.ts';
import { disputeByLink, rateByLink } from '../lifecycle/feedback.ts';
import { createIncident } from '../lifecycle/intake.ts';
import { chatStatus, NumberParam } from '../lifecycle/public.ts';
import { tokenFor } from '../lifecycle/tokens.ts';
import { getCityRules } from '../lifecycle/calendar.ts';
import { localUntil, noticeIn } from '../outages/answer.ts';
import { outageForCall } from '../outages/queries.ts';
import { geocodeText } from '../places/geocode.ts';
import type { ChannelAdapter, Outgoing, Update } from './adapter.ts';
import {
  type Context,
  type Draft,
  type Effect,
  answeredFromOutage,
  EXPIRE_AFTER_MS,
  expire,
  fileFailed,
  filed,
  initialState,
  type FoundPlace,
  type MachineInput,
  PLACE_STEPS,
  recover,
  type Result,
  type State,
  step,
  text,
} from './conversation.ts';
import { guessLang, type MessageKey } from './messages.ts';
import {
  addContact,
  botCategories,
  cityPoint,
  claimUpdate,
  insideCity,
  loadConversation,
  markPlaceToCheck,
  recentUpdates,
  saveConversation,
  savePhoto,
  tokenForUser,
  unclaimUpdate,
} from './store.ts';

/** Updates one user may send in a minute; past it the bot says so once and then stays silent. */
export const FLOOD_LIMIT = 30;

export interface BotOptions {
  pool: pg.Pool;
  /** The key of feedback links (the rating buttons use the citizen's link). */
  linkKey: Buffer;
  /** Base URL of this server as the public sees it (for photo links). */
  publicUrl: string;
}

/**
 * Runs the conversation for one messenger: claims each update once, keeps the state in the
 * database, performs the effects the machine asks for, and answers through the adapter.
 */
export class Bot {
  /** Updates of one user are handled one after another within this process. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    readonly adapter: ChannelAdapter,
    private readonly o: BotOptions,
  ) {}

  /** Handles a webhook's updates; answers when they are done (the messenger waits for a 200). */
  async handleAll(updates: Update[]): Promise<void> {
    await Promise.all(updates.map((u) => this.serial(u.userId, () => this.handle(u))));
  }

  private serial<T>(userId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(userId) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.queues.set(userId, tail);
    void tail.then(() => {
      if (this.queues.get(userId) === tail) this.queues.delete(userId);
    });
    return next;
  }

  private get channel() {
    return this.adapter.channel;
  }

  /**
   * One update, start to end. If handling fails (the database went away), the claim is dropped
   * so that the messenger's redelivery is handled afresh.
   */
  async handle(u: Update): Promise<void> {
    if (!(await claimUpdate(this.o.pool, this.channel, u.updateId, u.userId))) return;
    try {
      await this.handleClaimed(u);
    } catch (err) {
      await unclaimUpdate(this.o.pool, this.channel, u.updateId).catch(() => undefined);
      throw err;
    }
  }

  private async handleClaimed(u: Update): Promise<void> {
    const { pool } = this.o;
    if (u.ackId && this.adapter.acknowledge) await this.adapter.acknowledge(u.ackId).catch(() => undefined);
    const recent = await recentUpdates(pool, this.channel, u.userId);
    const convo = await loadConversation(pool, this.channel, u.userId);
    let state = convo ? recover(convo.state, Date.now() - convo.updatedAt.getTime()) : initialState();
    const ctx: Context = { categories: await botCategories(pool), langHint: u.langHint };
    if (recent > FLOOD_LIMIT) {
      if (recent === FLOOD_LIMIT + 1) await this.reply(u.chatId, [{ text: text(state, ctx, 'tooFast') }]);
      return;
    }

    const replies: Outgoing[] = [];
    if (convo && Date.now() - convo.updatedAt.getTime() > EXPIRE_AFTER_MS) {
      const r = expire(state, ctx);
      state = r.state;
      replies.push(...r.replies);
    }
    const input: MachineInput =
      u.input.kind === 'location'
        ? { ...u.input, inside: await insideCity(pool, u.input.lng, u.input.lat) }
        : u.input.kind === 'text' && PLACE_STEPS.includes(state.step) && !u.input.text.trim().startsWith('/')
          ? { ...u.input, place: await this.findPlace(u.input.text) }
          : u.input;
    const r = step(state, input, ctx);
    const key = { channel: this.channel, userId: u.userId, chatId: u.chatId };
    if (r.effect?.kind === 'create') {
      // Only the press that moves "confirm" to "filing" files the appeal.
      const ours = convo ? await saveConversation(pool, key, r.state, 'confirm') : false;
      await this.reply(u.chatId, replies);
      if (ours) await this.file(u, r.state, r.effect.draft, ctx);
      return;
    }
    await saveConversation(pool, key, r.state);
    replies.push(...r.replies);
    if (r.effect) replies.push(...(await this.perform(u, r.state, r.effect, ctx)));
    await this.reply(u.chatId, replies);
  }

  /** The place a typed address names, when the geocoder is confident and it is inside the city; else null. */
  private async findPlace(typed: string): Promise<FoundPlace | null> {
    const text = typed.trim().slice(0, 200);
    if (!text) return null;
    const found = await geocodeText(this.o.pool, text);
    if (!found || !(await insideCity(this.o.pool, found.point[0], found.point[1]))) return null;
    return { point: found.point, label: found.label };
  }

  private async reply(chatId: string, messages: Outgoing[]): Promise<void> {
    for (const m of messages) {
      try {
        await this.adapter.send(chatId, m);
      } catch (err) {
        log.warn({ err: (err as Error).message, channel: this.channel }, 'bot message not delivered');
      }
    }
  }

  /** Creates the appeal from the draft; the conversation then goes back to idle with its number. */
  private async file(u: Update, state: State, draft: Draft, ctx: Context): Promise<void> {
    const { pool } = this.o;
    const key = { channel: this.channel, userId: u.userId, chatId: u.chatId };
    let result: Result;
    try {
      const photoUrl = draft.photo ? await this.keepPhoto(draft.photo) : undefined;
      const location = draft.location ?? (await cityPoint(pool));
      const lang = state.lang ?? guessLang(u.langHint);
      // A place inside a known outage of this category's service: answered from it and linked.
      const outage = draft.location ? await outageForCall(pool, draft.location[0], draft.location[1], draft.category) : undefined;
      const { body } = await createIncident(
        pool,
        {
          type: 'complaint',
          category: draft.category,
          channel: this.channel,
          description: draft.description,
          location: { type: 'Point', coordinates: location },
          ...(draft.address ? { address: draft.address } : {}),
          ...(photoUrl ? { photo_url: photoUrl } : {}),
          // Answered from an outage, or else, a citizen's own words and pin with no dispatcher on the
          // line: a dispatcher looks at it first.
          ...(outage ? { outage: outage.id } : { triage: true }),
        },
        { id: null },
      );
      await addContact(pool, { incidentId: body.id, channel: this.channel, userId: u.userId, chatId: u.chatId, lang, name: u.name });
      if (draft.placeCheck) await markPlaceToCheck(pool, body.id, draft.address ?? '');
      result = outage
        ? answeredFromOutage(
            state,
            body.number,
            { notice: noticeIn(outage.notice, lang), until: localUntil(outage.expected_end_at, (await getCityRules(pool)).zone) },
            ctx,
          )
        : filed(state, body.number, ctx);
    } catch (err) {
      log.warn({ err: (err as Error).message, channel: this.channel }, 'bot appeal not filed');
      result = fileFailed(state, ctx);
    }
    await saveConversation(pool, key, result.state);
    await this.reply(u.chatId, result.replies);
  }

  /** Downloads the photo and keeps it under an unguessable key; undefined when it cannot. */
  private async keepPhoto(fileId: string): Promise<string | undefined> {
    try {
      const photo = await this.adapter.downloadPhoto(fileId);
      if (!photo.contentType.startsWith('image/')) return undefined;
      const key = randomBytes(18).toString('base64url');
      await savePhoto(this.o.pool, key, photo.contentType, photo.bytes);
      return `${this.o.publicUrl}/api/channels/photos/${key}`;
    } catch (err) {
      log.warn({ err: (err as Error).message, channel: this.channel }, 'bot photo not kept');
      return undefined;
    }
  }

  /** Status look-ups, ratings and disputes: the answer to say. */
  private async perform(u: Update, state: State, effect: Exclude<Effect, { kind: 'create' }>, ctx: Context): Promise<Outgoing[]> {
    const { pool } = this.o;
    const say = (k: MessageKey, vars?: Record<string, string | number>): Outgoing[] => [{ text: text(state, ctx, k, vars) }];
    if (effect.kind === 'status') {
      const number = effect.number.slice(0, 40);
      // Only the chat's own appeals: anyone else's number answers "not found", as an unknown one does.
      const row = NumberParam.safeParse({ number }).success ? await chatStatus(pool, number, this.channel, u.userId) : null;
      if (!row) return say('statusUnknown', { number });
      return say('statusIs', { number: row.number, status: text(state, ctx, `status.${row.status}` as MessageKey) });
    }
    const link = await tokenForUser(pool, effect.token, this.channel, u.userId);
    if (!link) return say('feedbackClosed');
    const token = tokenFor(this.o.linkKey, link.nonce);
    try {
      if (effect.kind === 'rate') {
        await rateByLink(pool, token, { rating: effect.rating });
        return say('thanksRating', { rating: effect.rating });
      }
      await disputeByLink(pool, token, { comment: effect.comment });
      return say('disputed', { number: link.number });
    } catch (err) {
      // Used, expired, or the appeal moved on: a polite word, not an error.
      if (err instanceof AppError && err.status < 500) return say('feedbackClosed');
      throw err;
    }
  }
}
