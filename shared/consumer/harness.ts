import { deadLetter } from "../bus/dead-letter";
import {
  formatDuration,
  retryDelaySeconds,
  retryWindowSeconds,
  subscribedTypes,
  type Subscription,
  type SubscriptionBase,
} from "../bus/subscription";
import { readClaimedEvent, type ClaimSettings } from "../events/claim-check";
import type { PizzaEvent } from "../events/envelope";
import { deprecationOf, type EventType } from "../events/registry";
import { faultsIn, handlerFailure, InjectedFault, type FaultSettings } from "../faults";
import { logEvent } from "../log";
import { DEPRECATED_READS_SHARDS, deprecatedReadsNames } from "./deprecated-reads-shards";

/**
 * The consumer harness every context's queue handler is built from.
 *
 * For each message: read it through the registry (the anti-corruption layer: envelope, registered type,
 * schema, and a `source` that is the type's registered producer); hand it to the context's handler; ack
 * on success; on failure retry it after the delay its subscription's retry schedule gives (`retry` in
 * subscriptions.ts: exponential, capped, long enough to ride out an outage);
 * dead-letter it after the schedule's last attempt, with the reason and how long the schedule tried. A
 * malformed or unsubscribed event is dead-lettered at once (retrying cannot fix it). No message can
 * crash the batch, and none is dropped: if even the dead-letter send fails the message is retried, and
 * the queue's own `dead_letter_queue` is the last safety net.
 *
 * Commands come point to point (shared/bus/destination.ts): straight from their producer's outbox to
 * the recipient's queue, with no router reading them first. This reading is then the only check they
 * pass, and it is the router's own: a command whose source is not its registered producer (a forged
 * refund) is dead-lettered with the reason, never carried out
 * (test/payments/commands-point-to-point.test.ts).
 *
 * Skipping duplicates: handlers apply an event inside the Durable Object that owns the affected data,
 * through its inbox (shared/durable/inbox.ts) keyed by source+id, in the same transaction as the
 * effect. The handler reports "duplicate" when the inbox had already seen the event. Deduplicating
 * here, outside that transaction, could lose an event that failed half way.
 *
 * Counting deprecated reads: every event of a deprecated version the subscriber handled (processed or
 * duplicate) is counted, and after the batch the counts go to one of the subscriber's DeprecatedReads
 * objects in one call (DEPRECATED_READS_SHARDS), so operators see who still reads a version before its sunset (GET /ops/deprecations).
 * Counting is best effort: the messages are acked or retried already, and a failed count is logged,
 * never a reason to fail or retry the batch.
 *
 * Local runs with `FAULTS=fail:<rate>` (shared/faults.ts) fail a handling here, before the handler runs
 * or after it applied the event, to show that the retry schedule and the inbox absorb both.
 */
export type HandlerOutcome = "processed" | "duplicate";

/**
 * The queue delivery that brought an event: `attempts` is 1 on the first delivery, more after retries.
 * Handlers pass it on to the inbox that applies the event, so operators see in an order's timeline how
 * many attempts each handling took (GET /ops/orders/{orderId}/timeline).
 */
export interface QueueDelivery {
  attempts: number;
}

export type EventHandlers<T extends EventType, Env> = {
  [K in T]: (event: PizzaEvent<K>, env: Env, delivery: QueueDelivery) => Promise<HandlerOutcome>;
};

/**
 * Where a subscriber's reads of deprecated versions are counted: the DeprecatedReads Durable Object
 * namespace (durable-objects/dead-letters/deprecated-reads.ts), described by the one method the harness
 * calls, so shared/ does not depend on durable-objects/.
 */
export interface DeprecatedReadsCounter {
  getByName(subscriber: string): {
    /** Adds `{ [type]: events handled }` of one batch, handled at `at` (RFC 3339). */
    count(subscriber: string, reads: Record<string, number>, at: string): Promise<void>;
  };
}

/**
 * The two operations bindings every context's consumer has under the same names in its wrangler.toml:
 * its dead-letter queue (DEAD_LETTERS) and the DeprecatedReads objects (DEPRECATED_READS, bound by
 * script_name to the dead-letters worker, which `wrangler types` cannot type: hence the one cast here).
 */
export const contextOperations = {
  deadLetters: (env: { DEAD_LETTERS: Queue }) => env.DEAD_LETTERS,
  deprecatedReads: (env: { DEPRECATED_READS: DurableObjectNamespace }) =>
    env.DEPRECATED_READS as unknown as DeprecatedReadsCounter,
};

export interface ConsumerOptions<T extends EventType, Env> {
  subscription: Subscription<T>;
  /** The subscriber's dead-letter queue binding. */
  deadLetters: (env: Env) => Queue;
  /** The DeprecatedReads binding (DEPRECATED_READS): counts of deprecated versions handled. */
  deprecatedReads: (env: Env) => DeprecatedReadsCounter;
  handlers: EventHandlers<T, Env>;
}

/** The delay before the next delivery of a message whose `attempts`-th delivery failed, by its schedule. */
export function backoffSeconds(subscription: SubscriptionBase, attempts: number): number {
  return retryDelaySeconds(subscription.retry, attempts);
}

export function consumeEvents<T extends EventType, Env extends FaultSettings & ClaimSettings>(
  options: ConsumerOptions<T, Env>,
) {
  const { subscription, handlers } = options;
  const accepted = new Set<string>(subscribedTypes(subscription));
  /** The deprecated versions among those it subscribes to: the only ones worth counting. */
  const deprecated = new Set<string>(subscribedTypes(subscription).filter((t) => deprecationOf(t)));
  /** How long the schedule retried an event that reached its last attempt, as the dead letter says it. */
  const triedFor = formatDuration(retryWindowSeconds(subscription.retry));

  /** Returns the type of a deprecated version it handled (processed or duplicate), to be counted. */
  async function handle(message: Message<unknown>, env: Env): Promise<string | undefined> {
    const started = Date.now();
    // A claim-checked event gets its data back before anything else looks at it: handlers never know.
    const read = await readClaimedEvent(message.body, env.EVENT_CLAIMS);
    const base = { context: subscription.subscriber, queue: subscription.queue, attempts: message.attempts };

    const sendToDeadLetters = async (
      reason: string,
      type?: string,
      id?: string,
      traceparent?: string,
    ): Promise<undefined> => {
      try {
        await options
          .deadLetters(env)
          .send(deadLetter(subscription.queue, message.body, reason, message.attempts));
        message.ack();
        logEvent({
          ...base,
          type,
          id,
          traceparent,
          outcome: "dead-lettered",
          reason,
          durationMs: Date.now() - started,
        });
      } catch (error) {
        message.retry({ delaySeconds: backoffSeconds(subscription, message.attempts) });
        logEvent({
          ...base,
          type,
          id,
          outcome: "dead-letter-failed",
          reason: String(error),
          durationMs: Date.now() - started,
        });
      }
    };

    if (read.ok === "retry") {
      // The claims bucket did not answer: a transient failure like a handler's.
      const delaySeconds = backoffSeconds(subscription, message.attempts);
      message.retry({ delaySeconds });
      logEvent({
        ...base,
        outcome: "retry",
        reason: read.reason,
        delaySeconds,
        durationMs: Date.now() - started,
      });
      return undefined;
    }
    if (!read.ok) return sendToDeadLetters(read.reason, read.type, read.id);
    const event = read.event;
    if (!accepted.has(event.type)) {
      return sendToDeadLetters(
        `${subscription.subscriber} does not subscribe to ${event.type}`,
        event.type,
        event.id,
        event.traceparent,
      );
    }
    try {
      const handler = handlers[event.type as T] as (
        e: PizzaEvent,
        env: Env,
        delivery: QueueDelivery,
      ) => Promise<HandlerOutcome>;
      const injected = handlerFailure(faultsIn(env));
      const who = subscription.subscriber;
      if (injected === "before")
        throw new InjectedFault(`${who}: the handler failed before applying the event`);
      const outcome = await handler(event, env, { attempts: message.attempts });
      if (injected === "after")
        throw new InjectedFault(`${who}: the ack was lost after the event was ${outcome}`);
      message.ack();
      logEvent({
        ...base,
        type: event.type,
        id: event.id,
        traceparent: event.traceparent,
        outcome,
        durationMs: Date.now() - started,
      });
      return deprecated.has(event.type) ? event.type : undefined;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (message.attempts >= subscription.retry.attempts) {
        return sendToDeadLetters(
          `failed after ${message.attempts} attempts over ${triedFor}: ${reason}`,
          event.type,
          event.id,
          event.traceparent,
        );
      }
      const delaySeconds = backoffSeconds(subscription, message.attempts);
      message.retry({ delaySeconds });
      logEvent({
        ...base,
        type: event.type,
        id: event.id,
        traceparent: event.traceparent,
        outcome: "retry",
        reason,
        delaySeconds,
        durationMs: Date.now() - started,
      });
    }
  }

  /** One call for the whole batch; a failure is logged (no payloads) and goes no further. */
  async function countDeprecatedReads(handled: (string | undefined)[], env: Env): Promise<void> {
    const reads: Record<string, number> = {};
    for (const type of handled) if (type !== undefined) reads[type] = (reads[type] ?? 0) + 1;
    if (Object.keys(reads).length === 0) return;
    try {
      const shard = 1 + Math.floor(Math.random() * DEPRECATED_READS_SHARDS);
      await options
        .deprecatedReads(env)
        .getByName(deprecatedReadsNames(subscription.subscriber)[shard]!)
        .count(subscription.subscriber, reads, new Date().toISOString());
    } catch (error) {
      logEvent({
        context: subscription.subscriber,
        queue: subscription.queue,
        outcome: "deprecated-reads-not-counted",
        types: Object.keys(reads).join(","),
        events: Object.values(reads).reduce((a, b) => a + b, 0),
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }

  return async (batch: MessageBatch<unknown>, env: Env, ctx?: ExecutionContext): Promise<void> => {
    const handled = await Promise.all(batch.messages.map((message) => handle(message, env)));
    // Every message is acked or retried by now: the count must not hold the batch up.
    const counting = countDeprecatedReads(handled, env);
    if (ctx) ctx.waitUntil(counting);
    else await counting;
  };
}
