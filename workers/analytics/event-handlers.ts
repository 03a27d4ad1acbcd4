import { ledgerDay } from "../../durable-objects/analytics/revenue-ledger";
import type { DeprecatedReads } from "../../durable-objects/dead-letters/deprecated-reads";
import { consumeEvents } from "../../shared/consumer/harness";
import { analyticsSubscription } from "./subscriptions";

/** What analytics does when an order is confirmed: its total counts in the ledger of its month. */
export const analyticsEventHandlers = consumeEvents<keyof typeof analyticsSubscription.events, Env>({
  subscription: analyticsSubscription,
  deadLetters: (env) => env.DEAD_LETTERS,
  deprecatedReads: (env) => env.DEPRECATED_READS as DurableObjectNamespace<DeprecatedReads>,
  handlers: {
    "com.plantbasedpizza.order.confirmed.v2": (event, env) =>
      env.REVENUE.getByName(ledgerDay(event.data.confirmedAt).month).countOrder(event),
  },
});
