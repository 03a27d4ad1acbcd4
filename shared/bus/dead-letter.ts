import { z } from "zod";

/**
 * What a consumer puts on its dead-letter queue: the message exactly as it arrived plus why it could
 * not be handled. A dead letter is plumbing, not a business event, so it is not in the event registry.
 * Messages the platform itself moves to a DLQ (after `max_retries`, e.g. when a worker crashed) arrive
 * bare; the dead-letter office records those with the reason "retries exhausted".
 */
export const DeadLetter = z.object({
  kind: z.literal("dead-letter"),
  /** The queue the message was consumed from. */
  queue: z.string(),
  reason: z.string(),
  attempts: z.number().int().nonnegative(),
  deadLetteredAt: z.iso.datetime(),
  body: z.unknown(),
});
export type DeadLetter = z.infer<typeof DeadLetter>;

export function deadLetter(queue: string, body: unknown, reason: string, attempts: number): DeadLetter {
  return { kind: "dead-letter", queue, reason, attempts, deadLetteredAt: new Date().toISOString(), body };
}
