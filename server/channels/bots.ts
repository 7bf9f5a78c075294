import type pg from 'pg';
import type { Config } from '../config.ts';
import { linkKey } from '../lifecycle/tokens.ts';
import type { ChannelAdapter, ChannelName } from './adapter.ts';
import { Bot } from './bot.ts';
import { FacebookAdapter } from './facebook.ts';
import { TelegramAdapter } from './telegram.ts';
import { WhatsAppAdapter } from './whatsapp.ts';

export interface Bots {
  telegram?: Bot;
  whatsapp?: Bot;
  facebook?: Bot;
  /** The configured messengers' adapters, for outbound messages (results, replies). */
  adapters: Map<ChannelName, ChannelAdapter>;
}

/** The bots the configuration enables (none when no messenger is set). */
export function createBots(config: Config, pool: pg.Pool): Bots {
  const options = { pool, linkKey: linkKey(config), publicUrl: config.JARDEM_PUBLIC_URL };
  const adapters = new Map<ChannelName, ChannelAdapter>();
  const bots: Bots = { adapters };
  if (config.TELEGRAM_BOT_TOKEN && config.TELEGRAM_WEBHOOK_SECRET) {
    const a = new TelegramAdapter({
      token: config.TELEGRAM_BOT_TOKEN,
      secret: config.TELEGRAM_WEBHOOK_SECRET,
      apiBase: config.TELEGRAM_API_BASE.replace(/\/+$/, ''),
    });
    adapters.set('telegram', a);
    bots.telegram = new Bot(a, options);
  }
  if (config.WHATSAPP_TOKEN && config.WHATSAPP_APP_SECRET && config.WHATSAPP_VERIFY_TOKEN && config.WHATSAPP_PHONE_NUMBER_ID) {
    const a = new WhatsAppAdapter({
      token: config.WHATSAPP_TOKEN,
      appSecret: config.WHATSAPP_APP_SECRET,
      verifyToken: config.WHATSAPP_VERIFY_TOKEN,
      phoneNumberId: config.WHATSAPP_PHONE_NUMBER_ID,
      apiBase: config.WHATSAPP_API_BASE.replace(/\/+$/, ''),
    });
    adapters.set('whatsapp', a);
    bots.whatsapp = new Bot(a, options);
  }
  if (config.FACEBOOK_PAGE_TOKEN && config.FACEBOOK_APP_SECRET && config.FACEBOOK_VERIFY_TOKEN) {
    const a = new FacebookAdapter({
      pageToken: config.FACEBOOK_PAGE_TOKEN,
      appSecret: config.FACEBOOK_APP_SECRET,
      verifyToken: config.FACEBOOK_VERIFY_TOKEN,
      apiBase: config.FACEBOOK_API_BASE.replace(/\/+$/, ''),
    });
    adapters.set('facebook', a);
    bots.facebook = new Bot(a, options);
  }
  return bots;
}
