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
  /** Deliveries before a failing event is dead-lettered; equals `max_retries + 1` in wrangler.toml. */
  maxAttempts: number;
  /** First retry delay; doubles each attempt (exponential backoff), capped at five minutes. */
  retryDelaySeconds: number;
}

export function defineSubscription<const T extends EventType>(s: Subscription<T>): Subscription<T> {
  return s;
}

export function subscribedTypes(s: SubscriptionBase): EventType[] {
  return Object.keys(s.events) as EventType[];
}
