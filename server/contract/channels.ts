/** Answers of the messenger routes (the webhooks answer `{ok: true}`, server/contract/platform.ts). */
import { z } from 'zod';

/** POST /api/channels/incidents/{id}/reply: how many chats got the text, and their messengers. */
export const replySentSchema = z.object({ sent: z.number().int(), channels: z.array(z.string()) });
export type ReplySent = z.infer<typeof replySentSchema>;
