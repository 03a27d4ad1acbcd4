import { BUS } from "../../shared/bus/shards";
import type { Intake, RetrySchedule, SubscriptionBase } from "../../shared/bus/subscription";
import type { EventType } from "../../shared/events/registry";
import { BUILT_FOR_LOCAL_DEV } from "../../shared/local-life";
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

/**
 * The bus (shard 0's name: a letter from any shard names the bus by it, and a redrive puts it back there)
 * and where the router puts events it cannot read (bad envelope, unregistered type, bad payload).
 */
export const BUS_QUEUE = BUS.queue;
export const BUS_DEAD_LETTER_QUEUE = "pizza-events-dlq";

/**
 * Subscribers that exist only in a local development build: the simulated staff can never run in a
 * deploy (shared/local-life.ts), so a deploy's router does not forward to their queue, and pays no queue
 * operation per event for them.
 */
export const LOCAL_DEV_ONLY: ReadonlySet<SubscriptionBase> = new Set([staffSimulatorSubscription]);

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

/** The subscriptions the router forwards to: all in a local development build, else all but LOCAL_DEV_ONLY. */
export function routedSubscriptions(localDev: boolean = BUILT_FOR_LOCAL_DEV): SubscriptionBase[] {
  return subscriptions.filter((s) => localDev || !LOCAL_DEV_ONLY.has(s));
}

const routed = routedSubscriptions();

/** type -> the subscriptions that receive it (`localDev`: as in a local development build or not). */
export function routesFor(type: EventType, localDev: boolean = BUILT_FOR_LOCAL_DEV): SubscriptionBase[] {
  return (localDev === BUILT_FOR_LOCAL_DEV ? routed : routedSubscriptions(localDev)).filter((s) =>
    Object.hasOwn(s.events, type),
  );
}
