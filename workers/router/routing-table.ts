import type { Intake, RetrySchedule, SubscriptionBase } from "../../shared/bus/subscription";
import type { EventType } from "../../shared/events/registry";
import { analyticsSubscription } from "../analytics/subscriptions";
import { collectionSubscription } from "../collection/subscriptions";
import { deliverySubscription } from "../delivery/subscriptions";
import { kitchenSubscription } from "../kitchen/subscriptions";
import { loyaltySubscription } from "../loyalty/subscriptions";
import { ordersSubscription } from "../orders/subscriptions";
import { paymentsSubscription } from "../payments/subscriptions";
import { staffSimulatorSubscription } from "../staff-simulator/subscriptions";

/**
 * Every subscription in the system, each declared beside its consumer. To add a subscriber: declare
 * its subscription in its own folder, list it here, give it a queue in its wrangler.toml and a
 * producer binding in the router's. test/bus/subscriptions.test.ts fails until all of that agrees.
 */
export const subscriptions: readonly SubscriptionBase[] = [
  ordersSubscription,
  paymentsSubscription,
  kitchenSubscription,
  deliverySubscription,
  collectionSubscription,
  loyaltySubscription,
  analyticsSubscription,
  staffSimulatorSubscription,
];

/** Where the router puts events it cannot read (bad envelope, unregistered type, bad payload). */
export const BUS_QUEUE = "pizza-events";
export const BUS_DEAD_LETTER_QUEUE = "pizza-events-dlq";

/**
 * How long the router keeps forwarding an event a subscriber queue refuses (or filing one it cannot
 * read) before the platform moves it to the bus's dead-letter queue: as long as the customer's path
 * retries (100 tries, 1 s doubling to 10 min, about 15 h), so an outage of a queue costs no event.
 * `max_retries` in workers/router/wrangler.toml is attempts - 1 (test/bus/subscriptions.test.ts).
 */
export const BUS_RETRY: RetrySchedule = { attempts: 100, firstDelaySeconds: 1, maxDelaySeconds: 600 };

/**
 * How the router takes the bus: every event on every path crosses it, the customer's included, so a
 * batch never waits to fill; under load batches fill by themselves while one is being routed.
 */
export const BUS_INTAKE: Intake = { batchSize: 100, batchWaitSeconds: 0, concurrency: "auto" };

export const deadLetterQueues: readonly string[] = [
  BUS_DEAD_LETTER_QUEUE,
  ...subscriptions.map((s) => s.deadLetterQueue),
];

/** type -> the subscriptions that receive it. */
export function routesFor(type: EventType): SubscriptionBase[] {
  return subscriptions.filter((s) => Object.hasOwn(s.events, type));
}
