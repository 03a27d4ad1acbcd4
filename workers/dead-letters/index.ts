import { logEvent } from "../../shared/log";
import { afterFilingFailed, LAST_RESORT_QUEUE } from "./filing";
import { letterFrom, type Letter } from "./letters";

/**
 * The dead-letters worker consumes every dead-letter queue and files each message, with its reason,
 * in that queue's DeadLetterOffice, which keeps it for DEAD_LETTER_RETENTION_DAYS. Letters written by
 * the consumer harness or the router say why; bare messages moved here by the platform after
 * `max_retries` are filed as "retries exhausted"; one that cannot be read at all is filed as it is,
 * with a reason that says so.
 *
 * Nothing is dropped: a letter that cannot be filed is retried for hours (workers/dead-letters/filing.ts),
 * then moved by the platform to the last resort, `dead-letters-dlq`, which this worker consumes too and
 * files in an office of its own; on the last resort's final attempt it puts the letter back on it.
 *
 * Operators act on letters through the ops API (GET /ops/dead-letters/groups, POST
 * /ops/dead-letters/redrive and /discard, GET /ops/dead-letters/audit), which calls the offices
 * directly; an office's alarm sends redriven letters back, through this worker's producer bindings
 * (workers/dead-letters/redrive.ts), to the queue each failed in, at a bounded rate.
 *
 * It also keeps, per subscriber, how many events of deprecated versions each has handled
 * (DeprecatedReads, counted by the consumer harness of every consuming worker through a binding by
 * script_name): operators see who still reads a version before its sunset.
 */
export { DeadLetterOffice } from "../../durable-objects/dead-letters/dead-letter-office";
export { DeprecatedReads } from "../../durable-objects/dead-letters/deprecated-reads";

type Filing = { message: Message<unknown>; letter: Letter };

export default {
  async queue(batch, env, _ctx) {
    const filings = batch.messages.map((message) => ({ message, letter: letterFrom(message, batch.queue) }));
    const office = () => env.DEAD_LETTER_OFFICE.getByName(batch.queue);
    try {
      // One round trip per batch (filing is idempotent: a redelivered letter is filed once).
      await office().file(filings.map((f) => f.letter));
      for (const f of filings) filed(batch.queue, f);
    } catch (error) {
      // One letter the office cannot take must not hold back the others: each on its own, through a
      // new stub (a stub that threw may stay broken).
      logEvent({
        at: "dead-letters",
        outcome: "batch-filing-failed",
        deadLetterQueue: batch.queue,
        reason: String(error),
      });
      const stub = office();
      await Promise.all(
        filings.map(async (f) => {
          try {
            await stub.file([f.letter]);
            filed(batch.queue, f);
          } catch (error) {
            await notFiled(env, batch.queue, f, error);
          }
        }),
      );
    }
  },
} satisfies ExportedHandler<Env>;

function filed(deadLetterQueue: string, { message, letter }: Filing): void {
  message.ack();
  logEvent({
    at: "dead-letters",
    outcome: "filed",
    deadLetterQueue,
    queue: letter.queue,
    type: letter.eventType,
    id: letter.eventId,
    attempts: letter.attempts,
  });
}

async function notFiled(env: Env, deadLetterQueue: string, { message, letter }: Filing, error: unknown) {
  const log = {
    at: "dead-letters",
    deadLetterQueue,
    queue: letter.queue,
    type: letter.eventType,
    id: letter.eventId,
    attempts: message.attempts,
    reason: String(error),
  };
  const next = afterFilingFailed(deadLetterQueue, message.attempts);
  if ("retryAfterSeconds" in next) {
    message.retry({ delaySeconds: next.retryAfterSeconds });
    logEvent({ ...log, outcome: "filing-failed", retryInSeconds: next.retryAfterSeconds });
    return;
  }
  // The last resort's final attempt: a retry now would be the platform dropping it. Put it back
  // instead, as a new message; "v8" carries any body the queue could have delivered, unchanged.
  try {
    await env.LAST_RESORT.send(message.body, { contentType: "v8" });
    message.ack();
    logEvent({ ...log, outcome: "requeued-on-last-resort", lastResort: LAST_RESORT_QUEUE });
  } catch (sendError) {
    message.retry();
    logEvent({ ...log, outcome: "dropped-requeue-failed", requeueError: String(sendError) });
  }
}
