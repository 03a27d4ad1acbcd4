import type { EventType } from "../events/registry";

/**
 * A context's subscription to business events, declared once beside its consumer. The router builds
 * its routing table from these declarations, so a producer never names its consumers: adding a
 * subscriber is a change in the subscriber's folder (plus its queue in wrangler.toml), nowhere else.
 *
 * Each subscriber has its own durable queue: the buffer that lets it work off a burst at its own pace,
 * with its own batch size, retries and dead-letter queue (set in its wrangler.toml and checked against
 * this declaration by test/bus/subscriptions.test.ts).
 */
export interface Subscription<T extends EventType = EventType> extends SubscriptionBase {
  events: { readonly [K in T]: string };
}

/** Any subscription, whatever its event types (what the router and the harness need to know). */
export interface SubscriptionBase {
  /** The consuming context. */
  subscriber: string;
  /** The subscriber's own queue, and the router's producer binding for it (e.g. KITCHEN_INBOX). */
  queue: string;
  binding: string;
  /** Its dead-letter queue. */
  deadLetterQueue: string;
  /** Every event type and version it consumes, and why: the "why" is documentation that cannot drift. */
  events: { readonly [K in EventType]?: string };
  /** How long a failing event is retried before it is dead-lettered (see RetrySchedule). */
  retry: RetrySchedule;
  /** How it takes events off its queue: batch size, batch wait, concurrency (see Intake). */
  intake: Intake;
}

/**
 * How a subscriber takes events off its own queue, chosen for its job: the subscriber controls its own
 * load. Set as `max_batch_size`, `max_batch_timeout` and `max_concurrency` of its consumer in its
 * wrangler.toml, and checked against this declaration by test/bus/subscriptions.test.ts.
 *  - On the customer's path (the customer is waiting) a batch does not wait to fill: every queue hop's
 *    wait adds to the time to "confirmed".
 *  - Where nobody waits (loyalty, analytics) bigger batches after a longer wait mean fewer invocations
 *    and fewer Durable Object round trips per event.
 *  - Concurrency stays "auto" (Queues scales consumers up to 250) unless the work funnels into one
 *    object anyway: more concurrent batches would only queue up on it.
 */
export interface Intake {
  /** Messages per batch, 1 to 100 (`max_batch_size`). */
  batchSize: number;
  /** How long a batch waits to fill, 0 to 60 s (`max_batch_timeout`; 0: as soon as a message is there). */
  batchWaitSeconds: number;
  /** Batches at once, 1 to 250 (`max_concurrency`), or "auto": Queues scales with the backlog. */
  concurrency: number | "auto";
}

/** Cloudflare Queues' limits on a consumer's batches. */
export const QUEUES_MAX_BATCH_SIZE = 100;
export const QUEUES_MAX_BATCH_WAIT_SECONDS = 60;
export const QUEUES_MAX_CONCURRENCY = 250;

/** What in an intake the platform would refuse; empty when it fits. */
export function intakeProblems(intake: Intake): string[] {
  const problems: string[] = [];
  const within = (n: number, min: number, max: number) => Number.isInteger(n) && n >= min && n <= max;
  if (!within(intake.batchSize, 1, QUEUES_MAX_BATCH_SIZE))
    problems.push(`batchSize ${intake.batchSize} is not a whole number from 1 to ${QUEUES_MAX_BATCH_SIZE}`);
  if (!(intake.batchWaitSeconds >= 0 && intake.batchWaitSeconds <= QUEUES_MAX_BATCH_WAIT_SECONDS))
    problems.push(
      `batchWaitSeconds ${intake.batchWaitSeconds} is not from 0 to ${QUEUES_MAX_BATCH_WAIT_SECONDS}`,
    );
  if (intake.concurrency !== "auto" && !within(intake.concurrency, 1, QUEUES_MAX_CONCURRENCY))
    problems.push(`concurrency ${intake.concurrency} is not "auto" or 1 to ${QUEUES_MAX_CONCURRENCY}`);
  return problems;
}

/**
 * How a subscriber retries an event its handler failed on: exponential backoff, capped. The delay after
 * the n-th failed delivery is `firstDelaySeconds * 2^(n-1)`, at most `maxDelaySeconds`; after the last
 * attempt the harness dead-letters the event. Only transient failures are retried: an event that can
 * never succeed (malformed, unsubscribed) is dead-lettered at once, whatever the schedule.
 *
 * Pick it for the subscriber's job: the cap is how long, at worst, an event waits after an outage ends;
 * `retryWindowSeconds` is how long an outage it rides out. The window must stay well inside the queue's
 * message retention (4 days by default, 24 h on Workers Free): Queues deletes an older message without
 * dead-lettering it.
 */
export interface RetrySchedule {
  /** Deliveries in all, the first included: `max_retries + 1` in the consumer's wrangler.toml. */
  attempts: number;
  /** The delay before the second delivery; each later delay doubles. */
  firstDelaySeconds: number;
  /** The cap on every delay. */
  maxDelaySeconds: number;
}

/** Cloudflare Queues' limits: `max_retries` at most 100, `delaySeconds` (send or retry) at most 12 hours. */
export const QUEUES_MAX_RETRIES = 100;
export const QUEUES_MAX_DELAY_SECONDS = 12 * 60 * 60;
/** A schedule's window stays below this: the smallest message retention a queue may have (Workers Free). */
export const RETRY_WINDOW_LIMIT_SECONDS = 24 * 60 * 60;

/** The delay before the next delivery of an event whose `attempts`-th delivery failed. */
export function retryDelaySeconds(schedule: RetrySchedule, attempts: number): number {
  const doublings = Math.max(0, attempts - 1);
  // 2^doublings overflows to Infinity long after it passed any cap: min() still answers the cap.
  return Math.min(schedule.maxDelaySeconds, schedule.firstDelaySeconds * 2 ** doublings);
}

/** How long the schedule keeps retrying: the sum of the delays between its first and its last delivery. */
export function retryWindowSeconds(schedule: RetrySchedule): number {
  let total = 0;
  for (let attempt = 1; attempt < schedule.attempts; attempt++) total += retryDelaySeconds(schedule, attempt);
  return total;
}

/** "15h 7m 3s": a window or delay as people read it. */
export function formatDuration(seconds: number): string {
  const parts = [
    [Math.floor(seconds / 86_400), "d"],
    [Math.floor((seconds % 86_400) / 3600), "h"],
    [Math.floor((seconds % 3600) / 60), "m"],
    [seconds % 60, "s"],
  ] as const;
  const shown = parts.filter(([n]) => n > 0).map(([n, unit]) => `${n}${unit}`);
  return shown.length > 0 ? shown.join(" ") : "0s";
}

/** "100 attempts, 1s doubling to 10m: retries for 15h 7m 3s": a schedule as a newcomer reads it. */
export function describeRetrySchedule(schedule: RetrySchedule): string {
  const { attempts, firstDelaySeconds, maxDelaySeconds } = schedule;
  return (
    `${attempts} attempts, ${formatDuration(firstDelaySeconds)} doubling to ${formatDuration(maxDelaySeconds)}: ` +
    `retries for ${formatDuration(retryWindowSeconds(schedule))}`
  );
}

/** What is wrong with a schedule against the platform's limits (none: an empty list). */
export function retryScheduleProblems(schedule: RetrySchedule): string[] {
  const { attempts, firstDelaySeconds, maxDelaySeconds } = schedule;
  const problems: string[] = [];
  if (!Number.isInteger(attempts) || attempts < 1 || attempts - 1 > QUEUES_MAX_RETRIES)
    problems.push(`attempts must be an integer from 1 to ${QUEUES_MAX_RETRIES + 1} (max_retries <= 100)`);
  if (!Number.isInteger(firstDelaySeconds) || firstDelaySeconds < 1)
    problems.push("firstDelaySeconds must be a whole number of seconds, at least 1");
  if (!Number.isInteger(maxDelaySeconds) || maxDelaySeconds < firstDelaySeconds)
    problems.push("maxDelaySeconds must be a whole number of seconds, at least firstDelaySeconds");
  if (maxDelaySeconds > QUEUES_MAX_DELAY_SECONDS)
    problems.push(`maxDelaySeconds must be at most ${QUEUES_MAX_DELAY_SECONDS} (Queues' longest delay)`);
  if (problems.length === 0 && retryWindowSeconds(schedule) >= RETRY_WINDOW_LIMIT_SECONDS)
    problems.push(
      `it retries for ${formatDuration(retryWindowSeconds(schedule))}, past the 24 h a queue may keep it`,
    );
  return problems;
}

/** Declares a subscription; a retry schedule the platform cannot keep is refused when its module loads. */
export function defineSubscription<const T extends EventType>(s: Subscription<T>): Subscription<T> {
  const problems = retryScheduleProblems(s.retry);
  if (problems.length > 0) throw new Error(`${s.subscriber}'s retry schedule: ${problems.join("; ")}`);
  const intake = intakeProblems(s.intake);
  if (intake.length > 0) throw new Error(`${s.subscriber}'s intake: ${intake.join("; ")}`);
  return s;
}

export function subscribedTypes(s: SubscriptionBase): EventType[] {
  return Object.keys(s.events) as EventType[];
}
