import { pino } from 'pino';

/** Structured JSON logs on stdout, one line per event. */
export const log = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { app: 'jardem' },
  timestamp: pino.stdTimeFunctions.isoTime,
});
export type Logger = typeof log;
