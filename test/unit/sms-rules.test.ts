import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { isQuiet, parseQuietHours } from '../../server/sms/quiet.ts';
import { parseReceipt } from '../../server/sms/receipt.ts';
import { smsAddress } from '../../server/sms/sender.ts';

describe('quiet hours', () => {
  const night = parseQuietHours('22:00-08:00');
  // Taraz: UTC+5. 17:00 UTC is 22:00 there.
  const at = (h: number, m = 0) => new Date(Date.UTC(2026, 11, 3, h, m));
  it('cross midnight in the city time', () => {
    expect(isQuiet(night, at(16, 59), 300)).toBe(false);
    expect(isQuiet(night, at(17, 0), 300)).toBe(true);
    expect(isQuiet(night, at(2, 59), 300)).toBe(true);
    expect(isQuiet(night, at(3, 0), 300)).toBe(false);
    // The same instant is day in UTC and night in the city.
    expect(isQuiet(night, at(23, 0), 0)).toBe(true);
    expect(isQuiet(night, at(12, 0), 0)).toBe(false);
  });
  it('a window within one day, and none', () => {
    const lunch = parseQuietHours('13:00-14:00');
    expect(isQuiet(lunch, at(8, 30), 300)).toBe(true);
    expect(isQuiet(lunch, at(9, 0), 300)).toBe(false);
    expect(parseQuietHours('off')).toBeNull();
    expect(parseQuietHours('')).toBeNull();
    expect(isQuiet(null, at(20), 300)).toBe(false);
    expect(() => parseQuietHours('22-8')).toThrow(/HH:MM-HH:MM/);
  });
});

describe('SMPP delivery receipts', () => {
  it('reads the id and the final state from the receipt text', () => {
    const text = 'id:0A1B2C3D sub:001 dlvrd:001 submit date:2612031030 done date:2612031031 stat:DELIVRD err:000 text:Центр 109';
    expect(parseReceipt(text)).toEqual({ providerId: '0A1B2C3D', delivered: true, state: 'DELIVRD' });
    expect(parseReceipt(text.replace('DELIVRD', 'UNDELIV'))).toEqual({ providerId: '0A1B2C3D', delivered: false, state: 'UNDELIV' });
    expect(parseReceipt(text.replace('DELIVRD', 'ENROUTE'))).toBeNull();
    expect(parseReceipt('no receipt here')).toBeNull();
  });
  it('prefers the receipted_message_id and message_state TLVs', () => {
    expect(parseReceipt('id:wrong stat:DELIVRD', { receipted_message_id: 'right', message_state: 5 })).toEqual({
      providerId: 'right',
      delivered: false,
      state: 'UNDELIV',
    });
  });
});

describe('SMS addresses', () => {
  it('turns a phone as typed into international digits', () => {
    expect(smsAddress('+7 701 234 56 78')).toBe('77012345678');
    expect(smsAddress('8 (701) 234-56-78')).toBe('77012345678');
    expect(smsAddress('701 234 5678')).toBe('77012345678');
    expect(smsAddress('12-34')).toBeNull();
  });
});

describe('SMS and Messenger settings', () => {
  it('name what a provider or a bot still needs', () => {
    expect(() => loadConfig({ SMS_PROVIDER: 'smpp', SMS_SMPP_URL: 'smpp://127.0.0.1:2775' })).toThrow(
      /SMS_SMPP_SYSTEM_ID: required with SMS_PROVIDER=smpp[\s\S]*SMS_SMPP_PASSWORD/,
    );
    expect(() => loadConfig({ SMS_PROVIDER: 'http', SMS_HTTP_URL: 'https://gw.example/send' })).toThrow(/SMS_HTTP_TOKEN/);
    expect(() => loadConfig({ SMS_QUIET_HOURS: '22-8' })).toThrow(/SMS_QUIET_HOURS: HH:MM-HH:MM or off/);
    expect(() => loadConfig({ FACEBOOK_PAGE_TOKEN: 'EAAP-page-token' })).toThrow(/FACEBOOK_APP_SECRET[\s\S]*FACEBOOK_VERIFY_TOKEN/);
    const c = loadConfig({ SMS_PROVIDER: 'http', SMS_HTTP_URL: 'https://gw.example/send', SMS_HTTP_TOKEN: 'token-1234' });
    expect(c).toMatchObject({ SMS_SENDER: '109', SMS_QUIET_HOURS: '22:00-08:00', SMS_STATUS_CHANGES: false, SMS_MAX_ATTEMPTS: 8 });
  });
});
