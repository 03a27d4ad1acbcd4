import type { DeadLetterRecord } from "../../durable-objects/dead-letters/dead-letter-office";
import { DeadLetter } from "../../shared/bus/dead-letter";
import { logEvent } from "../../shared/log";

/**
 * The dead-letters worker consumes every dead-letter queue and files each message, with its reason,
 * in that queue's DeadLetterOffice. Letters written by the consumer harness or the router say why;
 * bare messages moved here by the platform after `max_retries` are filed as "retries exhausted".
 *
 * It also keeps, per subscriber, how many events of deprecated versions each has handled
 * (DeprecatedReads, counted by the consumer harness of every consuming worker through a binding by
 * script_name): operators see who still reads a version before its sunset.
 */
export { DeadLetterOffice } from "../../durable-objects/dead-letters/dead-letter-office";
export { DeprecatedReads } from "../../durable-objects/dead-letters/deprecated-reads";

function letterFrom(
  message: Message<unknown>,
  deadLetterQueue: string,
): Omit<DeadLetterRecord, "receivedAt"> {
  const written = DeadLetter.safeParse(message.body);
  const letter = written.success
    ? written.data
    : {
        queue: deadLetterQueue.replace(/-dlq$/, ""),
        reason: "retries exhausted: the consumer never acknowledged it",
        attempts: message.attempts,
        deadLetteredAt: message.timestamp.toISOString(),
        body: message.body,
      };
  const body = letter.body as { type?: unknown; id?: unknown } | null;
  return {
    messageId: message.id,
    deadLetterQueue,
    queue: letter.queue,
    reason: letter.reason,
    attempts: letter.attempts,
    ...(typeof body?.type === "string" ? { eventType: body.type } : {}),
    ...(typeof body?.id === "string" ? { eventId: body.id } : {}),
    deadLetteredAt: letter.deadLetteredAt,
    bodyJson: JSON.stringify(letter.body ?? null),
  };
}

export default {
  async queue(batch, env, _ctx) {
    const letters = batch.messages.map((m) => letterFrom(m, batch.queue));
    // One round trip per batch; if filing fails the whole batch is retried (filing is idempotent).
    await env.DEAD_LETTER_OFFICE.getByName(batch.queue).file(letters);
    for (const l of letters) {
      logEvent({
        at: "dead-letters",
        outcome: "filed",
        deadLetterQueue: batch.queue,
        queue: l.queue,
        type: l.eventType,
        id: l.eventId,
        attempts: l.attempts,
      });
    }
  },
} satisfies ExportedHandler<Env>;
