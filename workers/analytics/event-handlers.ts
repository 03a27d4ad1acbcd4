import { ledgerDay } from "../../durable-objects/analytics/revenue-ledger";
import { ledgerOf, revenueShards } from "../../durable-objects/analytics/revenue-shards";
import { consumeEvents, contextOperations } from "../../shared/consumer/harness";
import { analyticsSubscription } from "./subscriptions";

/**
 * What analytics does when an order is confirmed: its total counts in the ledger of its day and bucket
 * (or, for a day before the cutover, of its month): see durable-objects/analytics/revenue-shards.ts.
 */
export const analyticsEventHandlers = consumeEvents<keyof typeof analyticsSubscription.events, Env>({
  subscription: analyticsSubscription,
  ...contextOperations,
  handlers: {
    "com.plantbasedpizza.order.confirmed.v2": (event, env, delivery) => {
      const { day } = ledgerDay(event.data.confirmedAt);
      const ledger = ledgerOf(event.data.orderId, day, revenueShards(env.REVENUE_SHARDS));
      return env.REVENUE.getByName(ledger.name).countOrder(event, ledger.bucket, delivery);
    },
  },
});
