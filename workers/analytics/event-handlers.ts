import { ledgerDay } from "../../durable-objects/analytics/revenue-ledger";
import { consumeEvents, contextOperations } from "../../shared/consumer/harness";
import { analyticsSubscription } from "./subscriptions";

/** What analytics does when an order is confirmed: its total counts in the ledger of its month. */
export const analyticsEventHandlers = consumeEvents<keyof typeof analyticsSubscription.events, Env>({
  subscription: analyticsSubscription,
  ...contextOperations,
  handlers: {
    "com.plantbasedpizza.order.confirmed.v2": (event, env) =>
      env.REVENUE.getByName(ledgerDay(event.data.confirmedAt).month).countOrder(event),
  },
});
