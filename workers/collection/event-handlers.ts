import { consumeEvents, contextOperations } from "../../shared/consumer/harness";
import { withEachEventOnBoard } from "./board-api";
import { collectionSubscription } from "./subscriptions";

/** What collection does when an order is ready for collection: it waits at the counter. */
export const collectionEventHandlers = consumeEvents<keyof typeof collectionSubscription.events, Env>({
  subscription: collectionSubscription,
  ...contextOperations,
  handlers: {
    "com.plantbasedpizza.order.ready-for-collection.v1": (event, env, delivery) =>
      withEachEventOnBoard(
        env,
        event.data.orderId,
        env.COUNTER.getByName(event.data.orderId).putOnCounter(event, delivery),
      ),
  },
});
