import { consumeEvents } from "../../shared/consumer/harness";
import { ContextEntrypoint } from "../../shared/http/context-api";
import { collectionApi } from "./counter-api";
import { collectionSubscription } from "./subscriptions";

/** Collection: an order ready for collection waits at the counter until counter staff hand it over. */
export { CounterCollection } from "../../durable-objects/counter-collection";

/** The counter staff's API, reached through the gateway's service binding. */
export class CollectionApi extends ContextEntrypoint<Env> {
  protected readonly api = collectionApi;
}

export default {
  queue: consumeEvents<keyof typeof collectionSubscription.events, Env>({
    subscription: collectionSubscription,
    deadLetters: (env) => env.DEAD_LETTERS,
    handlers: {
      "com.plantbasedpizza.order.ready-for-collection.v1": (event, env) => env.COUNTER.getByName(event.data.orderId).putOnCounter(event),
    },
  }),
} satisfies ExportedHandler<Env>;
