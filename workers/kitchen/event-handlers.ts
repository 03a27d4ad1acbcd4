import { consumeEvents, contextOperations } from "../../shared/consumer/harness";
import { withEachEventOnBoard } from "./board-api";
import { kitchenSubscription } from "./subscriptions";

/** What the kitchen does when an order is confirmed or cancelled: one ticket per order. */
export const kitchenEventHandlers = consumeEvents<keyof typeof kitchenSubscription.events, Env>({
  subscription: kitchenSubscription,
  ...contextOperations,
  handlers: {
    "com.plantbasedpizza.order.confirmed.v2": (event, env, delivery) =>
      withEachEventOnBoard(
        env,
        event.data.orderId,
        env.KITCHEN_TICKETS.getByName(event.data.orderId).openTicket(event, delivery),
      ),
    "com.plantbasedpizza.order.cancelled.v1": (event, env, delivery) =>
      withEachEventOnBoard(
        env,
        event.data.orderId,
        env.KITCHEN_TICKETS.getByName(event.data.orderId).withdrawTicket(event, delivery),
      ),
  },
});
